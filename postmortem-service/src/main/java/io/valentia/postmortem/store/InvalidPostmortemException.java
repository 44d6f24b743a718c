package io.valentia.postmortem.store;

import io.valentia.eventbus.ValentiaException;
import java.util.List;

/**
 * A postmortem or a change to one that cannot be stored; {@link #problems()} lists every reason.
 */
public final class InvalidPostmortemException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidPostmortemException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, each naming its section or field. */
  public List<String> problems() {
    return problems;
  }
}
