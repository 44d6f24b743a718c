package io.valentia.postmortem.incidents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.eventbus.testing.SampleEvents;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IncidentDetectorTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:00:00Z");
  private final IncidentDetector detector = new IncidentDetector(DetectionRules.DEFAULT);

  private static CloudEvent frames(String subject, int second) {
    return CloudEvent.of(new FrameDropped(90, 4, 100, 103, 9_000, "loop"))
        .source("/probes/frames/" + subject)
        .subject(subject)
        .time(T0.plusSeconds(second))
        .build();
  }

  private static CloudEvent mismatch(String subject, int second) {
    return CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
        .source("/probes/mtu/osd-12")
        .subject(subject)
        .time(T0.plusSeconds(second))
        .build();
  }

  @Test
  @DisplayName("An MTU mismatch opens an incident whose evidence is the mismatch event")
  void mtuMismatchOpens() {
    CloudEvent event = mismatch("osd-12->osd-7", 0);

    List<CloudEvent> out = detector.accept(event);

    assertThat(out)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_OPENED.type());
              assertThat(e.incidentId()).startsWith("inc-");
              assertThat(e.data().path("evidence").get(0).asText()).isEqualTo(event.id());
              assertThat(e.data().path("rule").asText()).isEqualTo("mtu-mismatch");
              EventCodec.instance().validateData(e);
            });
  }

  @Test
  @DisplayName(
      "Three dropped-frame bursts of one headset within a minute open one incident, two do not")
  void frameBurstsInWindow() {
    assertThat(detector.accept(frames("hmd-1", 0))).isEmpty();
    assertThat(detector.accept(frames("hmd-1", 20))).isEmpty();
    assertThat(detector.accept(frames("hmd-2", 30))).isEmpty();
    assertThat(detector.accept(frames("hmd-1", 100))).isEmpty();
    assertThat(detector.accept(frames("hmd-1", 110))).isEmpty();
    assertThat(detector.accept(frames("hmd-1", 120)))
        .singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.INCIDENT_OPENED.type()));
    assertThat(detector.incidents()).hasSize(1);
  }

  @Test
  @DisplayName(
      "KILL denials summing to five within a minute open an incident; ERRNO denials never do")
  void killDenials() {
    SyscallDenied sample = (SyscallDenied) SampleEvents.payload(EventType.PROBE_SYSCALL_DENIED);
    CloudEvent errno =
        CloudEvent.of(sample).source("/probes/denials/h").subject("vrserver").time(T0).build();
    SyscallDenied kill =
        new SyscallDenied(
            "ptrace",
            101,
            "x86_64",
            "KILL_PROCESS",
            null,
            42L,
            "vrserver",
            null,
            null,
            null,
            null,
            3,
            T0,
            T0);
    assertThat(detector.accept(errno)).isEmpty();
    assertThat(
            detector.accept(
                CloudEvent.of(kill)
                    .source("/probes/denials/h")
                    .subject("vrserver")
                    .time(T0)
                    .build()))
        .isEmpty();
    assertThat(
            detector.accept(
                CloudEvent.of(kill)
                    .source("/probes/denials/h")
                    .subject("vrserver")
                    .time(T0.plusSeconds(30))
                    .build()))
        .singleElement()
        .satisfies(e -> assertThat(e.data().path("rule").asText()).isEqualTo("kill-denials"));
  }

  @Test
  @DisplayName("A lease revoked by a lessee crash and a deviated experiment each open an incident")
  void leaseCrashAndDeviation() {
    Lessee lessee = ((LeaseRevoked) SampleEvents.payload(EventType.LEASE_REVOKED)).lessee();
    CloudEvent crash =
        CloudEvent.of(
                new LeaseRevoked("lease-1", "/dev/dri/card0", lessee, "lessee-crash", "SIGSEGV"))
            .source("/probes/leases/h")
            .subject("lease-1")
            .time(T0)
            .build();
    CloudEvent exit =
        CloudEvent.of(new LeaseRevoked("lease-2", "/dev/dri/card0", lessee, "lessee-exit", null))
            .source("/probes/leases/h")
            .subject("lease-2")
            .time(T0)
            .build();
    CloudEvent deviated =
        CloudEvent.of(new ExperimentDeviated("run-1", "frames-ok", "during", "12 drops > 5"))
            .source("/chaos/runs/run-1")
            .experimentId("exp-42")
            .time(T0)
            .build();

    assertThat(detector.accept(crash)).hasSize(1);
    assertThat(detector.accept(exit)).isEmpty();
    assertThat(detector.accept(deviated)).hasSize(1);
    assertThat(detector.incidents())
        .extracting(Incident::rule)
        .containsExactly("lease-crash", "experiment-deviated");
  }

  @Test
  @DisplayName(
      "Triggers and warnings of the same subject within the correlation window join the open incident")
  void correlation() {
    CloudEvent first = mismatch("osd-12->osd-7", 0);
    String incident = detector.accept(first).get(0).incidentId();
    CloudEvent again = mismatch("osd-12->osd-7", 120);
    CloudEvent warning =
        CloudEvent.of(SampleEvents.payload(EventType.PROBE_OSD_PING))
            .source("/probes/ceph/mgr")
            .subject("osd-12->osd-7")
            .severity(Severity.WARNING)
            .time(T0.plusSeconds(125))
            .build();
    CloudEvent info =
        CloudEvent.of(SampleEvents.payload(EventType.PROBE_MTU_PING))
            .source("/probes/mtu/osd-12")
            .subject("osd-12->osd-7")
            .severity(Severity.INFO)
            .time(T0.plusSeconds(130))
            .build();
    CloudEvent late = mismatch("osd-12->osd-7", 120 + 3600);

    assertThat(detector.accept(again))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_UPDATED.type());
              assertThat(e.incidentId()).isEqualTo(incident);
              assertThat(e.data().path("addedEvidence").get(0).asText()).isEqualTo(again.id());
            });
    assertThat(detector.accept(warning)).as("a warning joins without an update event").isEmpty();
    assertThat(detector.accept(info)).isEmpty();
    assertThat(detector.accept(late).get(0).type()).isEqualTo(EventType.INCIDENT_OPENED.type());
    assertThat(detector.incident(incident).orElseThrow().evidence())
        .containsExactly(first.id(), again.id(), warning.id());
  }

  @Test
  @DisplayName(
      "The lifecycle moves forward, reopens on return, resolves with an event, and refuses going back")
  void lifecycle() {
    String id = detector.accept(mismatch("osd-1->osd-2", 0)).get(0).incidentId();

    assertThat(detector.move(id, "mitigated", "dana", T0.plusSeconds(60))).hasSize(1);
    List<CloudEvent> resolved = detector.move(id, "resolved", "dana", T0.plusSeconds(600));
    assertThat(resolved)
        .extracting(CloudEvent::type)
        .containsExactly(EventType.INCIDENT_UPDATED.type(), EventType.INCIDENT_RESOLVED.type());
    assertThat(resolved.get(1).data().path("durationSeconds").asDouble()).isEqualTo(600.0);
    detector.move(id, "in-review", "dana", T0.plusSeconds(700));
    assertThatThrownBy(() -> detector.move(id, "open", "dana", T0.plusSeconds(800)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot become open");
    detector.move(id, "closed", "dana", T0.plusSeconds(900));
    assertThat(detector.incident(id).orElseThrow().status()).isEqualTo("closed");
  }

  @Test
  @DisplayName("Bad detection settings are all reported at once, each with its key")
  void badRules() {
    var section =
        EventCodec.MAPPER
            .createObjectNode()
            .put("frameBursts", 0)
            .put("killWindowSeconds", "soon")
            .put("colour", "red");
    assertThat(DetectionRules.check(section))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).startsWith("frameBursts:"))
        .anySatisfy(p -> assertThat(p).startsWith("killWindowSeconds:"))
        .anySatisfy(p -> assertThat(p).startsWith("colour:"));
  }
}
