package io.valentia.notifications.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.ExperimentAborted;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.ExperimentStarted;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentResolved;
import io.valentia.eventbus.payload.IncidentUpdated;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.PrometheusAlert;
import io.valentia.notifications.alert.Alert;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventAlertsTest {
  private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");
  private final EventAlerts alerts = new EventAlerts(URI.create("https://valentia.example/"));

  @Test
  @DisplayName(
      "An opened incident fires one alert with its labels and a link to its page; its resolution"
          + " ends that alert")
  void incidentLifecycle() {
    List<Alert> opened =
        alerts.on(
            CloudEvent.of(
                    new IncidentOpened(
                        "Frame drops on hmd-1", "SEV2", "frame-drops", List.of("e1")))
                .source("/postmortem/incidents")
                .subject("hmd-1")
                .incidentId("inc-7")
                .time(T0)
                .build());

    assertThat(opened).hasSize(1);
    Alert alert = opened.get(0);
    assertThat(alert.labels())
        .containsEntry("alertname", "IncidentOpen")
        .containsEntry("incident", "inc-7")
        .containsEntry("severity", "critical")
        .containsEntry("sev", "SEV2")
        .containsEntry("subject", "hmd-1")
        .containsEntry("rule", "frame-drops")
        .containsEntry("service", "postmortem")
        .containsEntry("type", "io.valentia.incident.opened.v1");
    assertThat(alert.annotations()).containsEntry("summary", "Frame drops on hmd-1");
    assertThat(alert.generatorUrl()).isEqualTo("https://valentia.example/incidents.html?id=inc-7");
    assertThat(alert.endsAt()).isNull();

    List<Alert> resolved =
        alerts.on(
            CloudEvent.of(new IncidentResolved("fixed", "alice", 60))
                .source("/postmortem/incidents")
                .incidentId("inc-7")
                .time(T0.plusSeconds(60))
                .build());
    assertThat(resolved)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.fingerprint()).isEqualTo(alert.fingerprint());
              assertThat(a.endsAt()).isEqualTo(T0.plusSeconds(60));
            });
  }

  @Test
  @DisplayName(
      "An incident whose severity or status changes resolves the alert with the old labels and"
          + " fires one with the new; new evidence alone raises nothing")
  void incidentChanges() {
    alerts.on(
        CloudEvent.of(new IncidentOpened("Drops", "SEV3", "frame-drops", List.of()))
            .source("/postmortem")
            .incidentId("inc-1")
            .time(T0)
            .build());
    List<Alert> same =
        alerts.on(
            CloudEvent.of(new IncidentUpdated("open", "SEV3", "Drops", List.of("e9"), "bot"))
                .source("/postmortem")
                .incidentId("inc-1")
                .time(T0.plusSeconds(5))
                .build());
    assertThat(same).isEmpty();

    List<Alert> mitigated =
        alerts.on(
            CloudEvent.of(new IncidentUpdated("mitigated", "SEV1", "Drops", List.of(), "alice"))
                .source("/postmortem")
                .incidentId("inc-1")
                .time(T0.plusSeconds(10))
                .build());
    assertThat(mitigated).hasSize(2);
    assertThat(mitigated.get(0).labels()).containsEntry("sev", "SEV3");
    assertThat(mitigated.get(0).endsAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(mitigated.get(1).labels())
        .containsEntry("sev", "SEV1")
        .containsEntry("severity", "critical")
        .containsEntry("status", "mitigated");
    assertThat(mitigated.get(1).endsAt()).isNull();

    List<Alert> closed =
        alerts.on(
            CloudEvent.of(new IncidentUpdated("closed", "SEV1", "Drops", List.of(), "alice"))
                .source("/postmortem")
                .incidentId("inc-1")
                .time(T0.plusSeconds(20))
                .build());
    assertThat(closed)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.labels()).containsEntry("status", "mitigated");
              assertThat(a.endsAt()).isEqualTo(T0.plusSeconds(20));
            });
  }

  @Test
  @DisplayName(
      "A chaos run fires while it runs, a deviation fires until the run ends, an abort ends both"
          + " and tells once; a dry run says nothing")
  void chaosRun() {
    assertThat(
            alerts.on(
                CloudEvent.of(new ExperimentStarted("run-0", "MTU", true, List.of()))
                    .source("/chaos")
                    .time(T0)
                    .build()))
        .isEmpty();
    List<Alert> started =
        alerts.on(
            CloudEvent.of(new ExperimentStarted("run-1", "MTU black hole", false, List.of("osd-3")))
                .source("/chaos/host-a")
                .experimentId("run-1")
                .time(T0)
                .build());
    assertThat(started)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.labels())
                  .containsEntry("alertname", "ExperimentRunning")
                  .containsEntry("experiment", "run-1")
                  .containsEntry("severity", "info");
              assertThat(a.labels().get("type")).startsWith("io.valentia.chaos.");
            });
    List<Alert> deviated =
        alerts.on(
            CloudEvent.of(new ExperimentDeviated("run-1", "mtu-ok", "method", "mismatch seen"))
                .source("/chaos/host-a")
                .experimentId("run-1")
                .time(T0.plusSeconds(3))
                .build());
    assertThat(deviated)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.labels()).containsEntry("severity", "warning");
              assertThat(a.endsAt()).isNull();
            });
    List<Alert> aborted =
        alerts.on(
            CloudEvent.of(new ExperimentAborted("run-1", "halted", "bob"))
                .source("/chaos/host-a")
                .experimentId("run-1")
                .time(T0.plusSeconds(9))
                .build());
    assertThat(aborted).hasSize(3);
    assertThat(aborted.subList(0, 2))
        .allSatisfy(a -> assertThat(a.endsAt()).isEqualTo(T0.plusSeconds(9)));
    assertThat(aborted.get(2).labels()).containsEntry("alertname", "ExperimentAborted");
    assertThat(aborted.get(2).endsAt()).isEqualTo(T0.plusSeconds(9).plus(EventAlerts.ONE_SHOT));
  }

  @Test
  @DisplayName("A halt fires a critical alert until the release; health checks fire while raised")
  void haltAndHealth() {
    List<Alert> halted =
        alerts.on(
            CloudEvent.of(new ChaosHalt("alice", "SEV1 in progress", false, 2))
                .source("/chaos")
                .time(T0)
                .build());
    assertThat(halted)
        .singleElement()
        .satisfies(a -> assertThat(a.labels()).containsEntry("severity", "critical"));
    assertThat(
            alerts.on(
                CloudEvent.of(new ChaosHalt("alice", "over", true, 0))
                    .source("/chaos")
                    .time(T0.plusSeconds(30))
                    .build()))
        .singleElement()
        .satisfies(a -> assertThat(a.endsAt()).isEqualTo(T0.plusSeconds(30)));

    CloudEvent.Builder warn =
        CloudEvent.of(
                new HealthChanged("MTU_MISMATCH", "HEALTH_WARN", "1 path", List.of("a->b"), 1))
            .source("/probes/mtu/host-a")
            .time(T0);
    assertThat(alerts.on(warn.build()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.labels())
                  .containsEntry("alertname", "MTU_MISMATCH")
                  .containsEntry("severity", "warning");
              assertThat(a.annotations()).containsEntry("description", "a->b");
            });
    assertThat(alerts.on(warn.build())).as("the same state again").isEmpty();
    List<Alert> err =
        alerts.on(
            CloudEvent.of(new HealthChanged("MTU_MISMATCH", "HEALTH_ERR", "3 paths", List.of(), 3))
                .source("/probes/mtu/host-a")
                .time(T0.plusSeconds(5))
                .build());
    assertThat(err).hasSize(2);
    assertThat(err.get(1).labels()).containsEntry("severity", "critical");
    assertThat(
            alerts.on(
                CloudEvent.of(new HealthChanged("MTU_MISMATCH", "HEALTH_OK", "", List.of(), 0))
                    .source("/probes/mtu/host-a")
                    .time(T0.plusSeconds(9))
                    .build()))
        .singleElement()
        .satisfies(a -> assertThat(a.labels()).containsEntry("severity", "critical"));
  }

  @Test
  @DisplayName(
      "A postmortem moved to review or final tells once; Prometheus alerts keep their labels and"
          + " times, and Alertmanager's zero end means no end")
  void postmortemAndPrometheus() {
    assertThat(
            alerts.on(
                CloudEvent.of(
                        new PostmortemRevised(
                            "pm-1", 3, "bob", "status-changed", "in-review", List.of(), null))
                    .source("/postmortem")
                    .time(T0)
                    .build()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.labels())
                  .containsEntry("alertname", "PostmortemInReview")
                  .containsEntry("postmortem", "pm-1");
              assertThat(a.generatorUrl()).endsWith("/postmortems.html?id=pm-1");
            });
    assertThat(
            alerts.on(
                CloudEvent.of(
                        new PostmortemRevised(
                            "pm-1", 4, "bob", "revised", "in-review", List.of(), null))
                    .source("/postmortem")
                    .time(T0)
                    .build()))
        .isEmpty();

    List<Alert> fromPrometheus =
        alerts.on(
            CloudEvent.of(
                    new PrometheusAlert(
                        "firing",
                        Map.of(
                            "alertname",
                            "CephOSDDown",
                            "instance",
                            "osd-3:9283",
                            "severity",
                            "critical"),
                        Map.of("summary", "osd.3 down"),
                        "2026-12-07T08:59:00Z",
                        "0001-01-01T00:00:00Z",
                        "http://prometheus.example/graph",
                        "1234abcd",
                        "valentia"))
                .source("/alertmanager")
                .time(T0)
                .build());
    assertThat(fromPrometheus)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.labels())
                  .containsEntry("alertname", "CephOSDDown")
                  .containsEntry("type", "io.valentia.alert.v1");
              assertThat(a.startsAt()).isEqualTo(Instant.parse("2026-12-07T08:59:00Z"));
              assertThat(a.endsAt()).isNull();
              assertThat(a.generatorUrl()).isEqualTo("http://prometheus.example/graph");
            });
  }

  @Test
  @DisplayName("After a restart, the alerts taken back are the ones an update resolves")
  void restore() {
    Alert before =
        alerts
            .on(
                CloudEvent.of(new IncidentOpened("Drops", "SEV3", "frame-drops", List.of()))
                    .source("/postmortem")
                    .incidentId("inc-2")
                    .time(T0)
                    .build())
            .get(0);
    EventAlerts restarted = new EventAlerts(URI.create("https://valentia.example"));
    restarted.restore(List.of(before));

    List<Alert> resolved =
        restarted.on(
            CloudEvent.of(new IncidentResolved("ok", "alice", 5))
                .source("/postmortem")
                .incidentId("inc-2")
                .time(T0.plusSeconds(5))
                .build());
    assertThat(resolved)
        .singleElement()
        .satisfies(a -> assertThat(a.fingerprint()).isEqualTo(before.fingerprint()));
  }
}
