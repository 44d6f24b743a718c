package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * Durations as experiments write them, in Valentia's one duration grammar ({@link
 * io.valentia.eventbus.config.Durations}): a number of seconds ({@code 5}, {@code 0.5}) as Chaos
 * Toolkit does, or a string with units ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h30m}).
 */
public final class Durations {

  private Durations() {}

  /** The duration {@code node} stands for; empty when it is not one (or is negative). */
  public static Optional<Duration> parse(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(io.valentia.eventbus.config.Durations.parse(node));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The duration {@code text} stands for; empty when it is not one. */
  public static Optional<Duration> parse(String text) {
    try {
      return Optional.of(io.valentia.eventbus.config.Durations.parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Seconds with millisecond precision, as the journal writes durations. */
  public static double seconds(Duration duration) {
    return io.valentia.eventbus.config.Durations.seconds(duration);
  }
}
