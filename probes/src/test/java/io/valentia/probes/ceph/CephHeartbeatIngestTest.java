package io.valentia.probes.ceph;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.HealthChanged;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ingesting Ceph heartbeat data")
class CephHeartbeatIngestTest {
  private final CephHeartbeatIngest ingest =
      new CephHeartbeatIngest("mon-1", SlowPingChecks.DEFAULT_THRESHOLD_MS);

  @Test
  @DisplayName("Healthy heartbeats give valid ping events per OSD pair and both checks cleared")
  void healthyHeartbeats() {
    CephHeartbeatIngest.Reading reading =
        ingest.ingest(CephFixtures.text("dump_osd_network.json"), null);

    assertThat(reading.pings()).hasSize(3);
    for (CloudEvent event : reading.pings()) {
      EventCodec.instance().validateData(event);
      assertThat(event.type()).isEqualTo(EventType.PROBE_OSD_PING.type());
      assertThat(event.source()).isEqualTo("/probes/ceph/mon-1");
    }
    assertThat(reading.pings().get(0).subject()).isEqualTo("osd.2->osd.0");
    assertThat(reading.checks())
        .extracting(HealthChanged::check, HealthChanged::status, HealthChanged::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("OSD_SLOW_PING_TIME_BACK", "HEALTH_OK", 0),
            org.assertj.core.groups.Tuple.tuple("OSD_SLOW_PING_TIME_FRONT", "HEALTH_OK", 0));
    assertThat(reading.slow()).isFalse();
  }

  @Test
  @DisplayName(
      "Without health detail, a pair whose 1-minute average exceeds 1000 ms raises the back"
          + " check; a stale entry does not")
  void computesChecksFromTheDump() {
    CephHeartbeatIngest.Reading reading =
        ingest.ingest(CephFixtures.text("dump_osd_network_slow.json"), null);

    assertThat(reading.slow()).isTrue();
    assertThat(reading.problems()).hasSize(1);
    HealthChanged back = reading.checks().get(0);
    assertThat(back.check()).isEqualTo("OSD_SLOW_PING_TIME_BACK");
    assertThat(back.status()).isEqualTo("HEALTH_WARN");
    assertThat(back.summary()).isEqualTo("Slow OSD heartbeats on back (longest 1118.001ms)");
    assertThat(back.detail())
        .containsExactly("Slow OSD heartbeats on back from osd.0 to osd.1 1118.001 msec");
    assertThat(back.count()).isEqualTo(1);
    assertThat(reading.checks().get(1).status()).isEqualTo("HEALTH_OK");
    assertThat(reading.pings().get(0).severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  @DisplayName("A higher threshold keeps the same heartbeats healthy")
  void thresholdIsConfigurable() {
    CephHeartbeatIngest.Reading reading =
        new CephHeartbeatIngest("mon-1", 2000)
            .ingest(CephFixtures.text("dump_osd_network_slow.json"), null);

    assertThat(reading.slow()).isFalse();
  }

  @Test
  @DisplayName("Health detail decides the checks when given, with Ceph's own lines and counts")
  void healthDetailDecides() {
    CephHeartbeatIngest.Reading reading =
        ingest.ingest(
            CephFixtures.text("dump_osd_network.json"), CephFixtures.text("health_detail.txt"));

    assertThat(reading.checks())
        .extracting(HealthChanged::status, HealthChanged::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("HEALTH_WARN", 4),
            org.assertj.core.groups.Tuple.tuple("HEALTH_WARN", 3));
    CloudEvent event = ingest.health(reading.checks().get(1));
    EventCodec.instance().validateData(event);
    assertThat(event.subject()).isEqualTo("OSD_SLOW_PING_TIME_FRONT");
    assertThat(event.severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  @DisplayName("Health detail in JSON without the front check clears it")
  void jsonHealthDetailClearsAbsentCheck() {
    CephHeartbeatIngest.Reading reading =
        ingest.ingest(
            CephFixtures.text("dump_osd_network.json"), CephFixtures.text("health_detail.json"));

    assertThat(reading.checks())
        .extracting(HealthChanged::check, HealthChanged::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("OSD_SLOW_PING_TIME_BACK", "HEALTH_WARN"),
            org.assertj.core.groups.Tuple.tuple("OSD_SLOW_PING_TIME_FRONT", "HEALTH_OK"));
  }

  @Test
  @DisplayName(
      "A front check named on the first line but without its section is raised, not reported OK")
  void frontNamedOnlyInTheSummaryLine() {
    CephHeartbeatIngest.Reading reading =
        ingest.ingest(
            CephFixtures.text("dump_osd_network.json"),
            CephFixtures.text("health_detail_scrub_errors.txt"));

    HealthChanged front = reading.checks().get(1);
    assertThat(front.check()).isEqualTo("OSD_SLOW_PING_TIME_FRONT");
    assertThat(front.status()).isEqualTo("HEALTH_WARN");
    assertThat(front.summary()).isEqualTo("Slow OSD heartbeats on front (longest 1330.432ms)");
    assertThat(front.detail()).singleElement().asString().contains("no OSD_SLOW_PING_TIME_FRONT");
    EventCodec.instance().validateData(ingest.health(front));
  }

  @Test
  @DisplayName(
      "Every other check of health detail is carried with its severity: scrub errors are an error")
  void otherChecksCarried() {
    CephHeartbeatIngest.Reading reading =
        ingest.ingest(
            CephFixtures.text("dump_osd_network.json"),
            CephFixtures.text("health_detail_scrub_errors.txt"));

    assertThat(reading.otherChecks())
        .extracting(HealthChanged::check, HealthChanged::status, HealthChanged::summary)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("OSD_SCRUB_ERRORS", "HEALTH_ERR", "2 scrub errors"),
            org.assertj.core.groups.Tuple.tuple(
                "PG_DAMAGED", "HEALTH_ERR", "Possible data damage: 1 pg inconsistent"));
    assertThat(reading.status()).isEqualTo("HEALTH_ERR");
    CloudEvent scrub = ingest.health(reading.otherChecks().get(0));
    EventCodec.instance().validateData(scrub);
    assertThat(scrub.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(scrub.subject()).isEqualTo("OSD_SCRUB_ERRORS");
    assertThat(reading.otherChecks().get(1).detail())
        .containsExactly("pg 2.5 is active+clean+inconsistent, acting [1,0,2]");

    CephHeartbeatIngest.Reading json =
        ingest.ingest(
            CephFixtures.text("dump_osd_network.json"), CephFixtures.text("health_detail.json"));
    assertThat(json.otherChecks())
        .extracting(HealthChanged::check, HealthChanged::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("OSDMAP_FLAGS", "HEALTH_WARN"));
  }
}
