package io.valentia.eventbus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Durations is the one duration grammar of configuration, experiments and flags")
class DurationsTest {

  @Test
  @DisplayName("500ms, 30s, 5m and 2h are milliseconds, seconds, minutes and hours.")
  void units() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  @DisplayName("Prometheus's units d, w and y (365 days) combine from the largest to the smallest.")
  void prometheus() {
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("1w")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("1y")).isEqualTo(Duration.ofDays(365));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1m500ms")).isEqualTo(Duration.ofMillis(60_500));
    assertThat(Durations.parse("1d2h3m4s5ms")).isEqualTo(Duration.ofMillis(93_784_005));
  }

  @Test
  @DisplayName("Zero is a duration and surrounding spaces are ignored.")
  void zeroAndSpaces() {
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("  30s ")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName(
      "Experiments' forms are accepted: a bare number of seconds, fractions and a space before"
          + " the unit.")
  void experimentForms() {
    assertThat(Durations.parse("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("0.5")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("0.5m")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5 s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  @DisplayName("ISO-8601 durations (PT5M, P1D) are accepted, as schedules write them.")
  void iso() {
    assertThat(Durations.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("P1D")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  @DisplayName("A configuration number is seconds and a configuration string is parsed.")
  void nodes() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    assertThat(Durations.parse(json.numberNode(5))).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse(json.numberNode(0.25))).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse(json.textNode("2m"))).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> Durations.parse(json.numberNode(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse(json.booleanNode(true)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "", "  ", "s", "ms", "-5s", "-5", "5S", "1M", "30sec", "10sec", "30m1h", "1h1h", "5 m 3",
        "P", "-PT5M", "PT-5M", "forever", "1e3"
      })
  @DisplayName("Anything else is an IllegalArgumentException quoting it and naming the forms.")
  void badForms(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a duration: \"" + text + "\" (write e.g. 500ms, 30s, 5m or 2h)");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"99999999999999999999s", "9999999999999999h", "300y"})
  @DisplayName(
      "A number too large for a duration is an IllegalArgumentException naming the forms too.")
  void tooLarge(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long")
        .hasMessageContaining("500ms, 30s, 5m or 2h");
  }

  @Test
  @DisplayName("Null is refused like any other non-duration.")
  void nullText() {
    assertThatThrownBy(() -> Durations.parse((String) null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("Durations print in their shortest form with units, and parse back.")
  void formats() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofHours(4))).isEqualTo("4h");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.parse(Durations.format(Duration.ofMillis(93_784_005))))
        .isEqualTo(Duration.ofMillis(93_784_005));
    assertThat(Durations.seconds(Duration.ofMillis(1500))).isEqualTo(1.5);
  }
}
