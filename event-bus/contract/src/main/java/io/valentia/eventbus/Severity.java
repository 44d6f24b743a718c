package io.valentia.eventbus;

import java.util.Locale;
import java.util.Optional;

/** The {@code severity} CloudEvents extension. */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  /** The attribute value: {@code info}, {@code warning} or {@code critical}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses an attribute value; empty for anything else. */
  public static Optional<Severity> parse(String value) {
    for (Severity severity : values()) {
      if (severity.value().equals(value)) {
        return Optional.of(severity);
      }
    }
    return Optional.empty();
  }
}
