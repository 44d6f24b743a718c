package io.valentia.notifications.config;

import io.valentia.eventbus.ValentiaException;
import java.util.List;

/**
 * The {@code notifications:} section is not valid. {@link #getProblems()} lists every problem
 * found, each starting with the key path it is about, e.g. {@code route.routes[1].matchers[0]: bad
 * matcher format: severity~critical}.
 */
public final class InvalidNotificationsConfigException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidNotificationsConfigException(List<String> problems) {
    super(
        "invalid notifications configuration ("
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + "):\n  "
            + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, each naming its key path. */
  public List<String> getProblems() {
    return problems;
  }
}
