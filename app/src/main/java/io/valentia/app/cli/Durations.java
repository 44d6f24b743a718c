package io.valentia.app.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses durations as people write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration: \"" + text + "\" (write e.g. 500ms, 30s, 5m or 2h)");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      Duration duration =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
          };
      duration.toNanos(); // must fit the clocks it is used with
      return duration;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "duration too long: \"" + text + "\" (write e.g. 500ms, 30s, 5m or 2h)");
    }
  }

  /** For picocli options: a bad value is a usage error naming the accepted forms. */
  public static final class Converter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parse(value);
    }
  }
}
