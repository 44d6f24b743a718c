package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LeaseExpired;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Building the lease table from the old history")
class LeaseLogTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Lessee APP = new Lessee("vr-app", 42L);
  private final LeaseLog log = new LeaseLog();
  private long offset;

  private void feed(String source, EventPayload payload) {
    CloudEvent event = CloudEvent.of(payload).source(source).subject("hmd").time(T0).build();
    log.accept(
        new LogRecord(
            Topics.EVENTS,
            0,
            offset++,
            T0.toEpochMilli(),
            null,
            EventCodec.instance().encode(event),
            Map.of()));
  }

  @Test
  @DisplayName(
      "Every lease service's leases still active are kept with their lessor; ended ones and the"
          + " kernel's file leases are not")
  void keepsActiveServiceLeases() {
    feed("/leases/a", new LeaseGranted("1", "hmd-0", APP, 5000, T0.plusSeconds(5)));
    feed("/leases/b", new LeaseGranted("2", "hmd-1", APP, 5000, T0.plusSeconds(5)));
    feed("/leases/a", new LeaseGranted("3", "hmd-2", APP, 5000, T0.plusSeconds(5)));
    feed("/leases/a", new LeaseRevoked("3", "hmd-2", APP, "lessor-revoke", "test"));
    feed("/leases/b", new LeaseGranted("4", "hmd-3", APP, 5000, T0.plusSeconds(5)));
    feed("/leases/b", new LeaseExpired("4", "hmd-3", APP, T0));
    feed("/leases/a/file", new LeaseGranted("file:9", "/tmp/x", APP, 45000, T0));

    assertThat(log.active())
        .containsExactly(
            new GrantedLease("/leases/a", "1", "hmd-0", APP, 5000, T0),
            new GrantedLease("/leases/b", "2", "hmd-1", APP, 5000, T0));
  }
}
