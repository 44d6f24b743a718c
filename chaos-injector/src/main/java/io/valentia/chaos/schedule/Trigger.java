package io.valentia.chaos.schedule;

import io.valentia.eventbus.config.Durations;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When a schedule fires: a cron expression, or a fixed interval ({@code every 10m}, {@code PT1H}).
 */
public sealed interface Trigger {

  /** The first firing strictly after {@code after}, in {@code zone}; null when there is none. */
  ZonedDateTime next(ZonedDateTime after, ZoneId zone);

  /**
   * Parses a schedule as written.
   *
   * @throws IllegalArgumentException when it is neither a cron expression nor an interval
   */
  static Trigger parse(String text) {
    String t = text.trim();
    String interval =
        t.startsWith("@every ") ? t.substring(7) : t.startsWith("every ") ? t.substring(6) : null;
    if (interval != null || t.startsWith("PT") || t.startsWith("P")) {
      Duration d;
      try {
        d = Durations.parse(interval != null ? interval : t);
      } catch (IllegalArgumentException e) {
        d = null;
      }
      if (d == null || d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("not an interval of at least 1 s: " + text);
      }
      return new Every(d);
    }
    return new Cron(CronExpression.parse(t));
  }

  /** A cron expression. */
  record Cron(CronExpression cron) implements Trigger {
    @Override
    public ZonedDateTime next(ZonedDateTime after, ZoneId zone) {
      return cron.next(after.withZoneSameInstant(zone));
    }
  }

  /** A fixed interval from the previous firing. */
  record Every(Duration interval) implements Trigger {
    @Override
    public ZonedDateTime next(ZonedDateTime after, ZoneId zone) {
      return after.plus(interval);
    }
  }
}
