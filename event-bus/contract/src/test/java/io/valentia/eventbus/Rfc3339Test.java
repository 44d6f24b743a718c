package io.valentia.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Reading event times")
class Rfc3339Test {
  private static Instant formatter(String text) {
    return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "2026-11-29T10:48:00Z",
        "2026-11-29T10:48:00.000000983Z",
        "2026-11-29T10:48:00.5Z",
        "2026-11-29T10:48:00.Z",
        "2026-11-29T10:48:00.123456789Z",
        "2026-11-29T11:48:00+01:00",
        "2026-11-29T05:18:00.25-05:30",
        "2026-11-29T10:48:00-00:00",
        "2024-02-29T23:59:59.999999999+14:00",
        "1970-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-18:00",
        "2026-11-29T10:48:00+18:00",
        "2026-11-29t10:48:00z",
        "2026-11-29T10:48Z",
        "2026-11-29T10:48:00+01:00:30",
        "+12026-11-29T10:48:00Z"
      })
  @DisplayName("gives the instant the ISO formatter gives")
  void sameAsTheFormatter(String text) {
    assertEquals(formatter(text), Rfc3339.parse(text));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "",
        "2026-11-29",
        "2026-11-29T10:48:00",
        "2026-02-30T10:48:00Z",
        "2025-02-29T10:48:00Z",
        "2026-13-01T10:48:00Z",
        "2026-11-29T24:00:00Z",
        "2026-11-29T10:60:00Z",
        "2026-11-29T10:48:60Z",
        "2026-11-29T10:48:00.1234567890Z",
        "2026-11-29T10:48:00+19:00",
        "2026-11-29T10:48:00+01:60",
        "2026-11-29T10:48:00+0100",
        "2026-11-29T10:48:00ZZ",
        "2026-11-29 10:48:00Z",
        "2026-1a-29T10:48:00Z",
        "2026-11-29T10:48:00.12a Z"
      })
  @DisplayName("rejects what the ISO formatter rejects, with its error")
  void rejectsLikeTheFormatter(String text) {
    DateTimeParseException expected =
        assertThrows(DateTimeParseException.class, () -> formatter(text));
    DateTimeParseException actual =
        assertThrows(DateTimeParseException.class, () -> Rfc3339.parse(text));
    assertEquals(expected.getMessage(), actual.getMessage());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "2026-11-29T10:48:00Z",
        "2026-11-29T10:48:00.000000983Z",
        "2026-11-29T11:48:00.123+01:00",
        "2026-11-29T05:18:00-05:30"
      })
  @DisplayName("reads the forms events carry without the formatter")
  void commonFormsAreReadByHand(String text) {
    assertEquals(formatter(text), Rfc3339.fastParse(text));
  }

  @Test
  @DisplayName("agrees with the formatter on 100,000 random times, offsets and precisions")
  void randomTimes() {
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      Instant instant =
          Instant.ofEpochSecond(
              random.nextLong() % 250_000_000_000L + 60_000_000_000L,
              random.nextInt(1_000_000_000));
      ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(36 * 4) - 18 * 4) * 900);
      int digits = random.nextInt(10);
      String pattern =
          "uuuu-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + "S".repeat(digits)) + "XXX";
      String text = DateTimeFormatter.ofPattern(pattern).format(instant.atOffset(offset));
      assertEquals(formatter(text), Rfc3339.parse(text), text);
    }
  }
}
