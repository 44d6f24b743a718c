package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthTables;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.HealthMuted;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Building the health and mute tables from the old history")
class HealthHistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private final HealthHistory history = new HealthHistory();
  private long offset;

  private void feed(String source, EventPayload payload, int secondsAfter) {
    CloudEvent event =
        CloudEvent.of(payload)
            .source(source)
            .subject("s")
            .time(T0.plusSeconds(secondsAfter))
            .build();
    history.accept(
        new LogRecord(
            Topics.EVENTS,
            0,
            offset++,
            T0.toEpochMilli(),
            null,
            EventCodec.instance().encode(event),
            Map.of()));
  }

  private static HealthChanged warn(int count) {
    return new HealthChanged("MTU_MISMATCH", "HEALTH_WARN", count + " peers", List.of(), count);
  }

  private static HealthChanged ok() {
    return new HealthChanged("MTU_MISMATCH", "HEALTH_OK", "", List.of(), 0);
  }

  private static HealthMuted mute(boolean sticky) {
    return new HealthMuted("MTU_MISMATCH", true, null, sticky, "ada");
  }

  private Map<String, HealthCheck> shown() {
    return HealthTables.checks(history.parts().values(), history.mutes(), T0.plusSeconds(600));
  }

  @Test
  @DisplayName("A check raised and muted is kept raised and muted")
  void raisedAndMuted() {
    feed("/probes/a", warn(2), 0);
    feed("/api/health", mute(false), 10);

    assertThat(shown().get("MTU_MISMATCH").muted()).isTrue();
    assertThat(history.parts()).containsOnlyKeys("MTU_MISMATCH|/probes/a");
  }

  @Test
  @DisplayName("A source that cleared its check leaves no part, and a plain mute ends with it")
  void clearedEndsMute() {
    feed("/probes/a", warn(1), 0);
    feed("/api/health", mute(false), 10);
    feed("/probes/a", ok(), 20);
    feed("/probes/a", warn(1), 30);

    assertThat(shown().get("MTU_MISMATCH").muted()).isFalse();
    assertThat(history.mutes()).isEmpty();
  }

  @Test
  @DisplayName("A check that grew ends a plain mute for good, a sticky one stays")
  void growthEndsPlainMute() {
    feed("/probes/a", warn(1), 0);
    feed("/api/health", mute(false), 10);
    feed("/probes/a", warn(3), 20);
    feed("/probes/a", warn(1), 30);
    assertThat(history.mutes()).isEmpty();

    feed("/api/health", mute(true), 40);
    feed("/probes/a", warn(5), 50);
    feed("/probes/a", ok(), 60);
    assertThat(history.mutes()).containsKey("MTU_MISMATCH");
  }
}
