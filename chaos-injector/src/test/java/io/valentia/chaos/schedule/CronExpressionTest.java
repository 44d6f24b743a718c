package io.valentia.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Our use of cron-utils: the UNIX and Quartz forms schedules accept, and what they fire on. */
class CronExpressionTest {

  private static ZonedDateTime utc(String text) {
    return ZonedDateTime.parse(text);
  }

  @Test
  @DisplayName("UNIX cron: every 15 minutes on weekdays, names, ranges, lists and Sunday as 0 or 7")
  void unixCron() {
    CronExpression cron = CronExpression.parse("*/15 9-17 * * MON-FRI");
    assertThat(cron.next(utc("2026-11-27T17:50:00Z")))
        .isEqualTo(utc("2026-11-30T09:00:00Z")); // Fri -> Mon
    assertThat(cron.next(utc("2026-11-30T09:00:00Z"))).isEqualTo(utc("2026-11-30T09:15:00Z"));
    assertThat(CronExpression.parse("0 3 * * 7").next(utc("2026-11-27T00:00:00Z")))
        .isEqualTo(utc("2026-11-29T03:00:00Z"));
    assertThat(CronExpression.parse("0 0 1,15 JAN,JUL *").next(utc("2026-11-29T00:00:00Z")))
        .isEqualTo(utc("2027-01-01T00:00:00Z"));
  }

  @Test
  @DisplayName("UNIX cron: a restricted day of month and day of week fire on either, as cron does")
  void domOrDow() {
    CronExpression cron = CronExpression.parse("0 12 13 * FRI");
    assertThat(cron.next(utc("2026-11-01T00:00:00Z")))
        .isEqualTo(utc("2026-11-06T12:00:00Z")); // a Friday
    assertThat(cron.next(utc("2026-11-12T13:00:00Z")))
        .isEqualTo(utc("2026-11-13T12:00:00Z")); // the 13th
  }

  @Test
  @DisplayName("Quartz cron: seconds, ? and days of the week from 1 = Sunday")
  void quartzCron() {
    CronExpression cron = CronExpression.parse("30 0 12 ? * 2");
    assertThat(cron.next(utc("2026-11-29T00:00:00Z")))
        .isEqualTo(utc("2026-11-30T12:00:30Z")); // Monday
    assertThat(CronExpression.parse("0 0/30 * * * ? 2027").next(utc("2026-11-29T00:00:00Z")))
        .isEqualTo(utc("2027-01-01T00:00:00Z"));
  }

  @Test
  @DisplayName("A bad cron expression names every bad field")
  void badCron() {
    assertThatThrownBy(() -> CronExpression.parse("61 25 * * BLURSDAY"))
        .hasMessageContaining("minute: 61: Value 61 not in range [0, 59]")
        .hasMessageContaining("hour: 25: Value 25 not in range [0, 23]")
        .hasMessageContaining("day of week: BLURSDAY: Invalid chars");
    assertThatThrownBy(() -> CronExpression.parse("* * *"))
        .hasMessageContaining("5 fields (UNIX) or 6-7 fields (Quartz)");
  }

  @Test
  @DisplayName(
      "Quartz cron: both day fields free fire every day, both restricted fire on either, as in UNIX")
  void quartzDayRule() {
    assertThat(CronExpression.parse("0 0 12 * * *").next(utc("2026-11-29T13:00:00Z")))
        .isEqualTo(utc("2026-11-30T12:00:00Z"));
    assertThat(CronExpression.parse("0 0 12 ? * ?").next(utc("2026-11-29T13:00:00Z")))
        .isEqualTo(utc("2026-11-30T12:00:00Z"));
    CronExpression cron = CronExpression.parse("0 0 12 13 * FRI");
    assertThat(cron.next(utc("2026-11-01T00:00:00Z")))
        .isEqualTo(utc("2026-11-06T12:00:00Z")); // a Friday
    assertThat(cron.next(utc("2026-11-12T13:00:00Z")))
        .isEqualTo(utc("2026-11-13T12:00:00Z")); // the 13th
  }

  @Test
  @DisplayName(
      "A firing is strictly after the given time, to the second, and none is given past five years")
  void nextIsStrictlyAfterWithinFiveYears() {
    assertThat(CronExpression.parse("0 9 * * *").next(utc("2026-11-30T09:00:00.500Z")))
        .isEqualTo(utc("2026-12-01T09:00:00Z"));
    assertThat(CronExpression.parse("0 0 30 2 *").next(utc("2026-11-01T00:00:00Z"))).isNull();
    assertThat(CronExpression.parse("0 0 0 1 1 ? 2099").next(utc("2026-11-01T00:00:00Z"))).isNull();
  }

  @Test
  @DisplayName("Quartz's L, W and # and a UNIX ? are refused with the reason")
  void refusesWhatIsNotSupported() {
    assertThatThrownBy(() -> CronExpression.parse("0 0 12 L * ?"))
        .hasMessageContaining("day of month: L:")
        .hasMessageContaining("(L, W and # are not supported)");
    assertThatThrownBy(() -> CronExpression.parse("0 0 12 ? * 6#3"))
        .hasMessageContaining("day of week: 6#3:")
        .hasMessageContaining("(L, W and # are not supported)");
    assertThatThrownBy(() -> CronExpression.parse("0 12 ? * *"))
        .hasMessageContaining("day of month: ?:")
        .hasMessageContaining("(? is only for Quartz day fields)");
  }
}
