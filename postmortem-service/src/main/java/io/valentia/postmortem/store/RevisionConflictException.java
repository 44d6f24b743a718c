package io.valentia.postmortem.store;

import io.valentia.eventbus.ValentiaException;

/**
 * A change based on a revision that is no longer the latest: someone else revised the postmortem
 * first. Read it again and reapply the change.
 */
public final class RevisionConflictException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  private final int current;

  public RevisionConflictException(String postmortemId, int expected, int current) {
    super(
        "postmortem "
            + postmortemId
            + " is at revision "
            + current
            + ", not "
            + expected
            + "; read it again and reapply the change");
    this.current = current;
  }

  /** The latest revision at the time of the conflict. */
  public int current() {
    return current;
  }
}
