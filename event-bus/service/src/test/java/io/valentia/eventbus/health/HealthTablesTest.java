package io.valentia.eventbus.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.HealthChanged;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Folding the health and mute tables")
class HealthTablesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static RaisedCheck part(String source, int count, Instant since) {
    return RaisedCheck.after(
        null,
        source,
        new HealthChanged(
            "MTU_MISMATCH", "HEALTH_WARN", source + " sees it", List.of(source), count),
        since);
  }

  private static CheckMute mute(int countAtMute, Instant raisedSince, boolean sticky) {
    return new CheckMute("MTU_MISMATCH", null, sticky, countAtMute, raisedSince, "ada", T0);
  }

  @Test
  @DisplayName("Parts of one check from several sources are one check with every detail line")
  void combinesSources() {
    Map<String, HealthCheck> checks =
        HealthTables.checks(List.of(part("/b", 1, T0), part("/a", 2, T0)), Map.of(), T0);

    assertThat(checks.get("MTU_MISMATCH").detail()).containsExactly("/a", "/b");
    assertThat(checks.get("MTU_MISMATCH").summary()).startsWith("2 sources: ");
  }

  @Test
  @DisplayName("A mute counts while the check stays raised and does not grow")
  void muteHolds() {
    List<RaisedCheck> parts = List.of(part("/a", 2, T0));

    assertThat(HealthTables.checks(parts, Map.of("MTU_MISMATCH", mute(2, T0, false)), T0))
        .extractingByKey("MTU_MISMATCH")
        .extracting(HealthCheck::muted)
        .isEqualTo(true);
  }

  @Test
  @DisplayName("A check that grew past its count at the mute is shown again, unless sticky")
  void growthEndsMute() {
    List<RaisedCheck> parts = List.of(part("/a", 3, T0));

    assertThat(HealthTables.counts(mute(2, T0, false), parts, T0)).isFalse();
    assertThat(HealthTables.counts(mute(2, T0, true), parts, T0)).isTrue();
  }

  @Test
  @DisplayName("A check that cleared and was raised again is shown again, unless sticky")
  void clearingEndsMute() {
    List<RaisedCheck> again = List.of(part("/a", 1, T0.plusSeconds(60)));

    assertThat(HealthTables.counts(mute(1, T0, false), again, T0.plusSeconds(61))).isFalse();
    assertThat(HealthTables.counts(mute(1, T0, true), again, T0.plusSeconds(61))).isTrue();
    assertThat(HealthTables.counts(mute(0, null, false), again, T0.plusSeconds(61)))
        .as("muted before it was raised")
        .isFalse();
  }

  @Test
  @DisplayName("A mute ends at its time")
  void muteExpires() {
    CheckMute until = new CheckMute("MTU_MISMATCH", T0.plusSeconds(60), true, 1, T0, "ada", T0);

    assertThat(HealthTables.counts(until, List.of(part("/a", 1, T0)), T0.plusSeconds(59))).isTrue();
    assertThat(HealthTables.counts(until, List.of(part("/a", 1, T0)), T0.plusSeconds(60)))
        .isFalse();
  }

  @Test
  @DisplayName("A source's later change keeps the time it raised the check; clearing removes it")
  void partKeepsSince() {
    RaisedCheck first = part("/a", 1, T0);
    RaisedCheck later =
        RaisedCheck.after(
            first,
            "/a",
            new HealthChanged("MTU_MISMATCH", "HEALTH_ERR", "worse", List.of(), 4),
            T0.plusSeconds(30));

    assertThat(later.since()).isEqualTo(T0);
    assertThat(later.changed()).isEqualTo(T0.plusSeconds(30));
    assertThat(
            RaisedCheck.after(
                later, "/a", new HealthChanged("MTU_MISMATCH", "HEALTH_OK", "", List.of(), 0), T0))
        .isNull();
  }
}
