package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.testing.SampleEvents;
import java.time.Instant;
import org.apache.lucene.document.Document;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@code host} field of an event's document comes from what the event's type defines. */
class EventHostsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:30:00Z");

  /** The {@code host} keyword of {@code event}'s document; null when it has none. */
  private static String host(CloudEvent event) {
    Document doc = EventDocuments.toDocument(event, EventCodec.instance().encode(event), T0);
    return doc.get("host");
  }

  private static CloudEvent.Builder of(EventType type) {
    return CloudEvent.of(SampleEvents.payload(type));
  }

  @Test
  @DisplayName(
      "A lease event's host is the lessor's host in its source, not the leased file or device"
          + " its subject names")
  void leaseHostFromSource() {
    assertThat(
            host(
                of(EventType.LEASE_GRANTED)
                    .source("/leases/ws-3/file")
                    .subject("/tmp/junit123/leased.txt")
                    .build()))
        .isEqualTo("ws-3");
    assertThat(host(of(EventType.LEASE_REVOKED).source("/leases/ws-3").subject("hmd-0").build()))
        .isEqualTo("ws-3");
  }

  @Test
  @DisplayName("A probe's events take the probe's host from their source")
  void probeHostFromSource() {
    assertThat(
            host(
                of(EventType.PROBE_SYSCALL_DENIED)
                    .source("/probes/denials/vr-1")
                    .subject("vr-1:vrserver")
                    .build()))
        .isEqualTo("vr-1");
    assertThat(
            host(
                of(EventType.PROBE_MTU_MISMATCH)
                    .source("/probes/mtu/osd-12")
                    .subject("osd-12->osd-7")
                    .build()))
        .isEqualTo("osd-12");
    assertThat(
            host(
                of(EventType.PROBE_OSD_PING)
                    .source("/probes/ceph/mgr-1")
                    .subject("osd.3->osd.7")
                    .build()))
        .isEqualTo("mgr-1");
    assertThat(
            host(
                of(EventType.HEALTH_CHANGED)
                    .source("/probes/mtu/osd-12")
                    .subject("MTU_MISMATCH")
                    .build()))
        .isEqualTo("osd-12");
  }

  @Test
  @DisplayName(
      "An MTU event emitted from elsewhere takes its host from its subject HOST->PEER, as the type"
          + " defines it")
  void mtuHostFromSubject() {
    assertThat(
            host(
                of(EventType.PROBE_MTU_MISMATCH)
                    .source("/cli/laptop")
                    .subject("osd-12->osd-7")
                    .build()))
        .isEqualTo("osd-12");
  }

  @Test
  @DisplayName("A fault's host is the injector's host its data names")
  void faultHostFromData() {
    assertThat(host(of(EventType.CHAOS_FAULT).source("/chaos/injector").subject("fault-1").build()))
        .isEqualTo("osd-host-3");
  }

  @Test
  @DisplayName(
      "Events whose type defines no host have none: not the subject's path, check, run or user")
  void noHostOtherwise() {
    assertThat(
            host(
                CloudEvent.builder("com.example.backup.done")
                    .source("/backup")
                    .subject("vm:/opt/google/drive-file-stream/drivefs")
                    .build()))
        .isNull();
    assertThat(
            host(
                of(EventType.HEALTH_CHANGED).source("/api/health").subject("MTU_MISMATCH").build()))
        .isNull();
    assertThat(
            host(
                of(EventType.CHAOS_EXPERIMENT_STARTED)
                    .source("/chaos/experiments")
                    .subject("run-42")
                    .build()))
        .isNull();
    assertThat(host(of(EventType.AUDIT).source("/web").subject("ada").build())).isNull();
  }
}
