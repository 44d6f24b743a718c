package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as experiments write them: a number of seconds ({@code 5}, {@code 0.5}) as Chaos
 * Toolkit does, or a string with a unit ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}).
 */
public final class Durations {
  private static final Pattern TEXT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

  private Durations() {}

  /** The duration {@code node} stands for; empty when it is not one (or is negative). */
  public static Optional<Duration> parse(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    if (node.isNumber()) {
      double seconds = node.asDouble();
      return seconds < 0
          ? Optional.empty()
          : Optional.of(Duration.ofNanos(Math.round(seconds * 1_000_000_000d)));
    }
    return node.isTextual() ? parse(node.asText()) : Optional.empty();
  }

  /** The duration {@code text} stands for; empty when it is not one. */
  public static Optional<Duration> parse(String text) {
    String trimmed = text.trim();
    try {
      double seconds = Double.parseDouble(trimmed);
      return seconds < 0
          ? Optional.empty()
          : Optional.of(Duration.ofNanos(Math.round(seconds * 1_000_000_000d)));
    } catch (NumberFormatException e) {
      // not a bare number: try a unit
    }
    Matcher m = TEXT.matcher(trimmed);
    if (!m.matches()) {
      return Optional.empty();
    }
    double amount = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> amount;
          case "s" -> amount * 1000;
          case "m" -> amount * 60_000;
          default -> amount * 3_600_000;
        };
    return Optional.of(Duration.ofNanos(Math.round(millis * 1_000_000d)));
  }

  /** Seconds with millisecond precision, as the journal writes durations. */
  public static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
