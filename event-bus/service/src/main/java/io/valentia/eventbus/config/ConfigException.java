package io.valentia.eventbus.config;

import io.valentia.eventbus.ValentiaException;
import java.util.List;

/**
 * The configuration has problems; {@link #problems()} lists every one, each starting with the key
 * path it is about and, when known, where the value came from, e.g. {@code http.port (from
 * VALENTIA_HTTP_PORT): must be between 0 and 65535, found 70000}. Not retriable: the same
 * configuration fails the same way.
 */
public final class ConfigException extends ValentiaException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  /**
   * @param problems every problem found, at least one
   */
  public ConfigException(List<String> problems) {
    this("bad configuration", problems);
  }

  /**
   * @param what what is wrong, e.g. {@code invalid notifications configuration}; the number of
   *     problems and the problems follow it in the message
   * @param problems every problem found, at least one
   */
  public ConfigException(String what, List<String> problems) {
    super(
        what
            + " ("
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + "):\n  "
            + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, each naming its key path; never empty. */
  public List<String> problems() {
    return problems;
  }
}
