package io.valentia.eventbus.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one duration grammar of Valentia's configuration, experiments and command line. Accepted,
 * surrounding spaces ignored:
 *
 * <ul>
 *   <li>a number with units, Prometheus's form: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 *       {@code 1d}, {@code 1w}, {@code 1y} (365 days), combined from the largest unit to the
 *       smallest, each at most once ({@code 1h30m}, {@code 1m500ms}); a number may have a fraction
 *       ({@code 1.5s}) and a space before its unit ({@code 5 s});
 *   <li>a bare number of seconds, as Chaos Toolkit writes them ({@code 5}, {@code 0.5}); {@code 0}
 *       is zero;
 *   <li>ISO-8601 ({@code PT5M}, {@code P1D}).
 * </ul>
 *
 * <p>Units are lower case; negative durations and durations that do not fit in a {@code long} of
 * nanoseconds are refused. Thread-safe (stateless).
 */
public final class Durations {
  /** The accepted forms, for messages. */
  public static final String FORMS = "500ms, 30s, 5m or 2h";

  private static final String NUMBER = "(\\d+(?:\\.\\d*)?|\\.\\d+)";
  private static final Pattern BARE = Pattern.compile(NUMBER);
  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
  private static final long[] NANOS = {
    365L * 24 * 3600 * 1_000_000_000L,
    7L * 24 * 3600 * 1_000_000_000L,
    24L * 3600 * 1_000_000_000L,
    3600L * 1_000_000_000L,
    60L * 1_000_000_000L,
    1_000_000_000L,
    1_000_000L
  };
  private static final Pattern UNITS_FORM = unitsForm();

  private Durations() {}

  private static Pattern unitsForm() {
    StringBuilder regex = new StringBuilder();
    for (String unit : UNITS) {
      regex.append("(?:").append(NUMBER).append("\\s*").append(unit).append(")?");
    }
    return Pattern.compile(regex.toString());
  }

  /**
   * Parses {@code text}.
   *
   * @param text a duration in one of the accepted forms; null is refused
   * @throws IllegalArgumentException quoting {@code text} and naming the accepted forms
   */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty()) {
      throw notADuration(text);
    }
    if (trimmed.charAt(0) == 'P' || trimmed.charAt(0) == 'p') {
      return iso(text, trimmed);
    }
    if (BARE.matcher(trimmed).matches()) {
      return ofNanos(text, new BigDecimal(trimmed).multiply(BigDecimal.valueOf(NANOS[5])));
    }
    Matcher m = UNITS_FORM.matcher(trimmed);
    if (!m.matches()) {
      throw notADuration(text);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    for (int i = 0; i < UNITS.length; i++) {
      String amount = m.group(i + 1);
      if (amount != null) {
        nanos = nanos.add(new BigDecimal(amount).multiply(BigDecimal.valueOf(NANOS[i])));
      }
    }
    return ofNanos(text, nanos);
  }

  /**
   * The duration a configuration value stands for: a number is seconds, a string is parsed as
   * {@link #parse(String)}.
   *
   * @throws IllegalArgumentException when {@code node} is neither, or not a duration
   */
  public static Duration parse(JsonNode node) {
    if (node != null && node.isNumber()) {
      if (node.decimalValue().signum() < 0) {
        throw notADuration(node.asText());
      }
      return ofNanos(node.asText(), node.decimalValue().multiply(BigDecimal.valueOf(NANOS[5])));
    }
    if (node == null || !node.isTextual()) {
      throw notADuration(node == null ? null : node.toString());
    }
    return parse(node.asText());
  }

  /**
   * The shortest form of {@code duration} in whole milliseconds with units, e.g. {@code 1h30m};
   * {@code 0s} for zero. {@link #parse(String)} reads it back.
   */
  public static String format(Duration duration) {
    long ms = duration.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < UNITS.length; i++) {
      long unit = NANOS[i] / 1_000_000L;
      long n = ms / unit;
      if (n > 0) {
        b.append(n).append(UNITS[i]);
        ms -= n * unit;
      }
    }
    return b.toString();
  }

  /** Seconds with millisecond precision, as journals and APIs write durations. */
  public static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  private static Duration iso(String text, String trimmed) {
    try {
      Duration duration = Duration.parse(trimmed);
      if (duration.isNegative()) {
        throw notADuration(text);
      }
      duration.toNanos();
      return duration;
    } catch (DateTimeParseException e) {
      throw notADuration(text);
    } catch (ArithmeticException e) {
      throw tooLong(text);
    }
  }

  private static Duration ofNanos(String text, BigDecimal nanos) {
    BigDecimal whole = nanos.setScale(0, RoundingMode.HALF_UP);
    if (whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw tooLong(text);
    }
    return Duration.ofNanos(whole.longValueExact());
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException(
        "not a duration: \"" + text + "\" (write e.g. " + FORMS + ")");
  }

  private static IllegalArgumentException tooLong(String text) {
    return new IllegalArgumentException(
        "duration too long: \"" + text + "\" (write e.g. " + FORMS + ")");
  }

  /** For picocli options: a bad value is a usage error naming the accepted forms. */
  public static final class Converter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parse(value);
    }
  }
}
