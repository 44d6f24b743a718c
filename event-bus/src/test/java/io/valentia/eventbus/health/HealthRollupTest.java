package io.valentia.eventbus.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.HealthMuted;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The health roll-up folds health.changed and health.muted events like ceph health")
class HealthRollupTest {
  private static final Instant NOW = Instant.parse("2026-11-29T04:00:00Z");
  private final HealthRollup rollup = new HealthRollup();

  private static HealthChanged warn(int count, String... detail) {
    return new HealthChanged(
        "MTU_MISMATCH", "HEALTH_WARN", count + " peers", List.of(detail), count);
  }

  private static HealthChanged clear() {
    return new HealthChanged("MTU_MISMATCH", "HEALTH_OK", "", List.of(), 0);
  }

  @Test
  @DisplayName("A raised check shows with its summary and detail, and clearing it removes it")
  void raiseAndClear() {
    rollup.apply("/probes/mtu/a", warn(1, "a -> b: path MTU 1500"));
    assertThat(rollup.checks(NOW))
        .containsEntry(
            "MTU_MISMATCH",
            new HealthCheck("HEALTH_WARN", "1 peers", List.of("a -> b: path MTU 1500")));

    rollup.apply("/probes/mtu/a", clear());
    assertThat(rollup.checks(NOW)).isEmpty();
  }

  @Test
  @DisplayName(
      "The same check from two sources is one check with the worst severity and both details;"
          + " one source clearing leaves the other")
  void severalSources() {
    rollup.apply("/probes/mtu/a", warn(1, "a -> b"));
    rollup.apply(
        "/probes/mtu/c",
        new HealthChanged("MTU_MISMATCH", "HEALTH_ERR", "all down", List.of("c -> d"), 3));
    HealthCheck both = rollup.checks(NOW).get("MTU_MISMATCH");
    assertThat(both.severity()).isEqualTo("HEALTH_ERR");
    assertThat(both.detail()).containsExactly("a -> b", "c -> d");
    assertThat(both.summary()).startsWith("2 sources");

    rollup.apply("/probes/mtu/c", clear());
    assertThat(rollup.checks(NOW).get("MTU_MISMATCH").detail()).containsExactly("a -> b");
  }

  @Test
  @DisplayName("A mute marks the check muted, and the report no longer counts it")
  void muteIsShownButNotCounted() {
    rollup.apply("/probes/mtu/a", warn(1));
    rollup.apply(new HealthMuted("MTU_MISMATCH", true, null, false, "ada"));
    HealthCheck check = rollup.checks(NOW).get("MTU_MISMATCH");
    assertThat(check.muted()).isTrue();
    assertThat(HealthReport.of(rollup.checks(NOW), java.util.Map.of(), null).status())
        .isEqualTo(HealthReport.OK);

    rollup.apply(new HealthMuted("MTU_MISMATCH", false, null, false, "ada"));
    assertThat(rollup.checks(NOW).get("MTU_MISMATCH").muted()).isFalse();
  }

  @Test
  @DisplayName("A mute with a time ends at that time")
  void muteExpires() {
    rollup.apply("/probes/mtu/a", warn(1));
    rollup.apply(new HealthMuted("MTU_MISMATCH", true, NOW.plusSeconds(60), false, "ada"));
    assertThat(rollup.checks(NOW.plusSeconds(59)).get("MTU_MISMATCH").muted()).isTrue();
    assertThat(rollup.checks(NOW.plusSeconds(60)).get("MTU_MISMATCH").muted()).isFalse();
  }

  @Test
  @DisplayName("A mute that is not sticky ends when the check grows or clears; a sticky one stays")
  void stickiness() {
    rollup.apply("/probes/mtu/a", warn(1));
    rollup.apply(new HealthMuted("MTU_MISMATCH", true, null, false, "ada"));
    rollup.apply("/probes/mtu/a", warn(1)); // same count: still muted
    assertThat(rollup.checks(NOW).get("MTU_MISMATCH").muted()).isTrue();
    rollup.apply("/probes/mtu/a", warn(2)); // worse: unmuted
    assertThat(rollup.checks(NOW).get("MTU_MISMATCH").muted()).isFalse();

    rollup.apply(new HealthMuted("MTU_MISMATCH", true, null, true, "ada"));
    rollup.apply("/probes/mtu/a", warn(5));
    rollup.apply("/probes/mtu/a", clear());
    rollup.apply("/probes/mtu/a", warn(1));
    assertThat(rollup.checks(NOW).get("MTU_MISMATCH").muted()).isTrue();

    rollup.apply(new HealthMuted("MTU_MISMATCH", false, null, false, "ada"));
    rollup.apply(new HealthMuted("MTU_MISMATCH", true, null, false, "ada"));
    rollup.apply("/probes/mtu/a", clear());
    rollup.apply("/probes/mtu/a", warn(1));
    assertThat(rollup.checks(NOW).get("MTU_MISMATCH").muted()).isFalse();
  }
}
