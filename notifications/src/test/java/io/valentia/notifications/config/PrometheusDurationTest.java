package io.valentia.notifications.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusDurationTest {
  @Test
  @DisplayName(
      "Prometheus durations parse with every unit, combined from the largest to the smallest")
  void parses() {
    assertThat(PrometheusDuration.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(PrometheusDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(PrometheusDuration.parse("4h")).isEqualTo(Duration.ofHours(4));
    assertThat(PrometheusDuration.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(PrometheusDuration.parse("1w")).isEqualTo(Duration.ofDays(7));
    assertThat(PrometheusDuration.parse("1y")).isEqualTo(Duration.ofDays(365));
    assertThat(PrometheusDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(PrometheusDuration.parse("1m500ms")).isEqualTo(Duration.ofMillis(60_500));
    assertThat(PrometheusDuration.parse("0")).isZero();
    assertThat(PrometheusDuration.parse("0s")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "5 m", "1.5h", "30m1h", "1h1h", "-5m", "1M", "10sec"})
  @DisplayName("Anything else is refused")
  void refuses(String text) {
    assertThatThrownBy(() -> PrometheusDuration.parse(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("Durations print in their shortest Prometheus form")
  void formats() {
    assertThat(PrometheusDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(PrometheusDuration.format(Duration.ofHours(4))).isEqualTo("4h");
    assertThat(PrometheusDuration.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(PrometheusDuration.parse(PrometheusDuration.format(Duration.ofMillis(93_784_005))))
        .isEqualTo(Duration.ofMillis(93_784_005));
  }
}
