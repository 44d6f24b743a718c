package io.valentia.app.config;

import io.valentia.eventbus.ValentiaException;
import java.util.List;

/** The configuration has problems; {@link #problems()} lists every one, each with its key. */
public final class ConfigException extends ValentiaException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("bad configuration:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
