package io.valentia.postmortem.incidents;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.eventbus.testing.SampleEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The detection topology, driven record by record without a broker. */
class IncidentTopologyTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:00:00Z");

  private final List<IncidentState> seed = new ArrayList<>();
  private final Map<String, IncidentState> incidents = new LinkedHashMap<>();
  private final List<TestRecord<String, byte[]>> stateRecords = new ArrayList<>();
  private Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;
  private TestOutputTopic<String, byte[]> events;
  private TestOutputTopic<String, byte[]> states;

  private void start(DetectionRules rules) throws IOException {
    stateDir = Files.createTempDirectory("incident-topology-test");
    Properties props = new Properties();
    props.put("application.id", "incident-topology-test");
    props.put("bootstrap.servers", "127.0.0.1:9");
    props.put("state.dir", stateDir.toString());
    driver = new TopologyTestDriver(IncidentTopology.build(rules, () -> seed), props);
    input =
        driver.createInputTopic(Topics.EVENTS, new StringSerializer(), new ByteArraySerializer());
    events =
        driver.createOutputTopic(
            Topics.EVENTS, new StringDeserializer(), new ByteArrayDeserializer());
    states =
        driver.createOutputTopic(
            Topics.STATE_INCIDENTS, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
    if (stateDir != null) {
      io.valentia.eventbus.testing.KafkaTestSupport.deleteRecursively(stateDir);
    }
  }

  /** Pipes {@code event} in as a probe would publish it; the incident events it caused. */
  private List<CloudEvent> accept(CloudEvent event) {
    return pipe(Topics.keyOf(event), event);
  }

  private List<CloudEvent> pipe(String key, CloudEvent event) {
    input.pipeInput(key, EventCodec.instance().encode(event), event.time());
    List<CloudEvent> out = new ArrayList<>();
    for (TestRecord<String, byte[]> record : events.readRecordsToList()) {
      CloudEvent e = EventCodec.instance().decode(record.value());
      assertThat(record.key()).as("keyed as every event").isEqualTo(Topics.keyOf(e));
      out.add(e);
    }
    for (TestRecord<String, byte[]> record : states.readRecordsToList()) {
      stateRecords.add(record);
      try {
        incidents.put(
            record.key(), EventCodec.MAPPER.readValue(record.value(), IncidentState.class));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  private List<CloudEvent> move(String id, String status, String by, Instant at) {
    return pipe(id, IncidentDetector.command(incidents.get(id), status, by, at));
  }

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
  @DisplayName(
      "An MTU mismatch opens an incident whose evidence is the mismatch event, published as an event and as the incident's state in one go")
  void mtuMismatchOpens() throws IOException {
    start(DetectionRules.DEFAULT);
    CloudEvent event = mismatch("osd-12->osd-7", 0);

    List<CloudEvent> out = accept(event);

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
    IncidentState state = incidents.get(out.get(0).incidentId());
    assertThat(state.status()).isEqualTo("open");
    assertThat(state.severity()).isEqualTo("SEV2");
    assertThat(state.title()).isEqualTo("MTU mismatch on osd-12->osd-7 (path MTU 1500)");
    assertThat(state.subjects()).containsExactly("osd-12->osd-7");
    assertThat(state.evidence()).containsExactly(event.id());
    assertThat(state.opened()).isEqualTo(T0);
  }

  @Test
  @DisplayName(
      "Three dropped-frame bursts of one headset within a minute open one incident, two do not, and the next firing needs three new bursts")
  void frameBurstsInWindow() throws IOException {
    start(DetectionRules.DEFAULT);
    assertThat(accept(frames("hmd-1", 0))).isEmpty();
    assertThat(accept(frames("hmd-1", 20))).isEmpty();
    assertThat(accept(frames("hmd-2", 30))).isEmpty();
    assertThat(accept(frames("hmd-1", 100))).isEmpty();
    assertThat(accept(frames("hmd-1", 110))).isEmpty();
    List<CloudEvent> opened = accept(frames("hmd-1", 120));
    assertThat(opened)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_OPENED.type());
              assertThat(e.data().path("title").asText())
                  .isEqualTo("3 dropped-frame bursts on hmd-1 within 60 s");
            });
    assertThat(incidents).hasSize(1);

    assertThat(accept(frames("hmd-1", 125))).as("the bursts that fired are used up").isEmpty();
    assertThat(accept(frames("hmd-1", 130))).isEmpty();
    assertThat(accept(frames("hmd-1", 135)))
        .as("three new bursts fire again, into the open incident")
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_UPDATED.type());
              assertThat(e.incidentId()).isEqualTo(opened.get(0).incidentId());
            });
    assertThat(incidents).hasSize(1);
    assertThat(incidents.get(opened.get(0).incidentId()).evidence()).hasSize(4);
  }

  @Test
  @DisplayName(
      "KILL denials summing to five within a minute open an incident; ERRNO denials never do")
  void killDenials() throws IOException {
    start(DetectionRules.DEFAULT);
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
    assertThat(accept(errno)).isEmpty();
    assertThat(
            accept(
                CloudEvent.of(kill)
                    .source("/probes/denials/h")
                    .subject("vrserver")
                    .time(T0)
                    .build()))
        .isEmpty();
    assertThat(
            accept(
                CloudEvent.of(kill)
                    .source("/probes/denials/h")
                    .subject("vrserver")
                    .time(T0.plusSeconds(30))
                    .build()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.data().path("rule").asText()).isEqualTo("kill-denials");
              assertThat(e.data().path("title").asText())
                  .isEqualTo("6 KILL syscall denials of vrserver within 60 s");
              assertThat(e.data().path("severity").asText()).isEqualTo("SEV2");
            });
  }

  @Test
  @DisplayName("A lease revoked by a lessee crash and a deviated experiment each open an incident")
  void leaseCrashAndDeviation() throws IOException {
    start(DetectionRules.DEFAULT);
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

    assertThat(accept(crash)).hasSize(1);
    assertThat(accept(exit)).isEmpty();
    assertThat(accept(deviated)).hasSize(1);
    assertThat(incidents.values())
        .extracting(IncidentState::rule)
        .containsExactly("lease-crash", "experiment-deviated");
    assertThat(incidents.values())
        .extracting(IncidentState::title)
        .containsExactly(
            "lease lease-1 revoked: lessee crashed", "experiment exp-42 deviated: frames-ok");
  }

  @Test
  @DisplayName(
      "Triggers and warnings of the same subject within the correlation window join the open incident")
  void correlation() throws IOException {
    start(DetectionRules.DEFAULT);
    CloudEvent first = mismatch("osd-12->osd-7", 0);
    String incident = accept(first).get(0).incidentId();
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

    assertThat(accept(again))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_UPDATED.type());
              assertThat(e.incidentId()).isEqualTo(incident);
              assertThat(e.data().path("addedEvidence").get(0).asText()).isEqualTo(again.id());
            });
    assertThat(accept(warning)).as("a warning joins without an update event").isEmpty();
    assertThat(accept(info)).isEmpty();
    assertThat(accept(late).get(0).type()).isEqualTo(EventType.INCIDENT_OPENED.type());
    assertThat(incidents.get(incident).evidence())
        .containsExactly(first.id(), again.id(), warning.id());
    assertThat(incidents).hasSize(2);
  }

  @Test
  @DisplayName(
      "An event of another subject joins the incident of its experiment, and the incident then correlates by both")
  void correlationByExperiment() throws IOException {
    start(DetectionRules.DEFAULT);
    CloudEvent deviated =
        CloudEvent.of(new ExperimentDeviated("run-1", "frames-ok", "during", "12 drops > 5"))
            .source("/chaos/runs/run-1")
            .subject("run-1")
            .experimentId("exp-7")
            .time(T0)
            .build();
    String incident = accept(deviated).get(0).incidentId();
    CloudEvent onHost =
        CloudEvent.builder(EventType.PROBE_MTU_MISMATCH.type())
            .source("/probes/mtu/osd-3")
            .subject("osd-3->osd-4")
            .experimentId("exp-7")
            .severity(Severity.WARNING)
            .data(
                EventCodec.MAPPER.valueToTree(
                    new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out")))
            .time(T0.plusSeconds(10))
            .build();

    assertThat(accept(onHost))
        .singleElement()
        .satisfies(e -> assertThat(e.incidentId()).isEqualTo(incident));
    assertThat(accept(mismatch("osd-3->osd-4", 20)))
        .as("the host joined the incident, so its own events correlate by subject too")
        .singleElement()
        .satisfies(e -> assertThat(e.incidentId()).isEqualTo(incident));
    assertThat(incidents.get(incident).subjects()).containsExactly("run-1", "osd-3->osd-4");
    assertThat(incidents.get(incident).experiments()).containsExactly("exp-7");
  }

  @Test
  @DisplayName(
      "Status commands move the lifecycle forward and resolve with an event; a command the lifecycle refuses changes nothing")
  void lifecycle() throws IOException {
    start(DetectionRules.DEFAULT);
    String id = accept(mismatch("osd-1->osd-2", 0)).get(0).incidentId();

    assertThat(move(id, "mitigated", "dana", T0.plusSeconds(60)))
        .as("the command itself is the update on the log")
        .isEmpty();
    assertThat(incidents.get(id).status()).isEqualTo("mitigated");
    List<CloudEvent> resolved = move(id, "resolved", "dana", T0.plusSeconds(600));
    assertThat(resolved)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_RESOLVED.type());
              assertThat(e.data().path("durationSeconds").asDouble()).isEqualTo(600.0);
              assertThat(e.data().path("by").asText()).isEqualTo("dana");
            });
    move(id, "in-review", "dana", T0.plusSeconds(700));
    IncidentState inReview = incidents.get(id);
    int written = stateRecords.size();
    assertThat(pipe(id, IncidentDetector.command(inReview, "open", "dana", T0.plusSeconds(800))))
        .isEmpty();
    assertThat(stateRecords).as("a refused command writes no state").hasSize(written);
    assertThat(incidents.get(id).status()).isEqualTo("in-review");
    move(id, "closed", "dana", T0.plusSeconds(900));
    assertThat(incidents.get(id).status()).isEqualTo("closed");
    assertThat(accept(mismatch("osd-1->osd-2", 950)))
        .as("a closed incident takes nothing: the same trouble opens a new one")
        .singleElement()
        .satisfies(e -> assertThat(e.incidentId()).isNotEqualTo(id));
  }

  @Test
  @DisplayName(
      "Incidents in the state table when the stores are new (migrated or from an earlier run) are known to correlation and lifecycle")
  void seededFromTheTable() throws IOException {
    seed.add(
        new IncidentState(
            "inc-migrated",
            "MTU mismatch on osd-5->osd-6 (path MTU 1472)",
            "mitigated",
            "SEV2",
            "mtu-mismatch",
            T0,
            T0.plusSeconds(30),
            List.of("osd-5->osd-6"),
            List.of(),
            List.of("ev-1")));
    seed.add(
        new IncidentState(
            "inc-closed",
            "old",
            "closed",
            "SEV3",
            "lease-crash",
            T0,
            T0,
            List.of("osd-9->osd-6"),
            List.of(),
            List.of("ev-0")));
    start(DetectionRules.DEFAULT);
    incidents.put("inc-migrated", seed.get(0));

    assertThat(accept(mismatch("osd-5->osd-6", 60)))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_UPDATED.type());
              assertThat(e.incidentId()).isEqualTo("inc-migrated");
            });
    assertThat(move("inc-migrated", "resolved", "erin", T0.plusSeconds(90)))
        .extracting(CloudEvent::type)
        .containsExactly(EventType.INCIDENT_RESOLVED.type());
    assertThat(incidents.get("inc-migrated").evidence()).hasSize(2);
    assertThat(accept(mismatch("osd-9->osd-6", 100)).get(0).type())
        .isEqualTo(EventType.INCIDENT_OPENED.type());
  }

  @Test
  @DisplayName("Bad detection settings are all reported at once, each with its key")
  void badRules() {
    var section =
        EventCodec.MAPPER
            .createObjectNode()
            .put("frameBursts", 0)
            .put("killWindowSeconds", "soon")
            .put("applicationId", "has space")
            .put("colour", "red");
    assertThat(DetectionRules.check(section))
        .hasSize(4)
        .anySatisfy(p -> assertThat(p).startsWith("frameBursts:"))
        .anySatisfy(p -> assertThat(p).startsWith("killWindowSeconds:"))
        .anySatisfy(p -> assertThat(p).startsWith("applicationId:"))
        .anySatisfy(p -> assertThat(p).startsWith("colour:"));
  }
}
