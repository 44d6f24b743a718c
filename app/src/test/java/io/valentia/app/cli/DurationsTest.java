package io.valentia.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Durations parses durations as people write them")
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
  @DisplayName("Zero is a duration and surrounding spaces are ignored.")
  void zeroAndSpaces() {
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("  30s ")).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {"", "30", "s", "ms", "30 s", "1.5s", "-5s", "5d", "5S", "30sec", "PT30S", "5m30s"})
  @DisplayName("Anything else is an IllegalArgumentException quoting it and naming the forms.")
  void badForms(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"")
        .hasMessageContaining("500ms, 30s, 5m or 2h");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"99999999999999999999s", "9999999999999999h"})
  @DisplayName(
      "A number too large for a duration is an IllegalArgumentException naming the forms too.")
  void tooLarge(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("500ms, 30s, 5m or 2h");
  }
}
