package io.valentia.notifications.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's duration syntax ({@code model.ParseDuration}), the one Alertmanager's configuration
 * uses: units {@code y} (365 days), {@code w}, {@code d}, {@code h}, {@code m}, {@code s}, {@code
 * ms}, each at most once and from the largest to the smallest, e.g. {@code 30s}, {@code 1h30m},
 * {@code 1d}; {@code 0} alone is zero.
 */
public final class PrometheusDuration {
  private static final Pattern SYNTAX =
      Pattern.compile(
          "^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$");
  private static final long[] MILLIS = {
    365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600_000L, 60_000L, 1000L, 1L
  };
  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};

  private PrometheusDuration() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException when it is not a Prometheus duration
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration string");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a valid duration string: \"" + text + "\" (e.g. 30s, 5m, 4h, 1d, 1h30m)");
    }
    long total = 0;
    try {
      for (int i = 0; i < MILLIS.length; i++) {
        String n = m.group(i + 1);
        if (n != null) {
          total = Math.addExact(total, Math.multiplyExact(Long.parseLong(n), MILLIS[i]));
        }
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration out of range: \"" + text + "\"");
    }
    return Duration.ofMillis(total);
  }

  /** The shortest Prometheus form of {@code d} (whole milliseconds), e.g. {@code 1h30m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < MILLIS.length; i++) {
      long n = ms / MILLIS[i];
      if (n > 0) {
        b.append(n).append(UNITS[i]);
        ms -= n * MILLIS[i];
      }
    }
    return b.toString();
  }
}
