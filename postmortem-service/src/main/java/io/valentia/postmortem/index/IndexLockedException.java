package io.valentia.postmortem.index;

import io.valentia.eventbus.ValentiaException;
import java.nio.file.Path;

/** Another indexer (in this process or another) has the index open for writing. */
public final class IndexLockedException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  public IndexLockedException(Path dir, Throwable cause) {
    super(
        "the index in "
            + dir
            + " is open in another indexer (is the postmortem service running on this data"
            + " directory? stop it first)",
        cause);
  }
}
