package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The MTU black hole for real: two network namespaces joined by a veth pair with MTU 9000 on one
 * end ({@code a}) and 1500 on the other ({@code b}). The echo agent and the prober each run as the
 * real command in their own JVM inside a namespace. A namespace cannot reach the test's Kafka
 * broker (on the host's loopback), so the test publishes the prober's {@code --json} lines as they
 * are, byte for byte, the way {@code valentia probe mtu --json | kafka-console-producer} would, and
 * reads them back from Kafka. Needs root and iproute2 (CI runs as root); the namespaces are removed
 * after each test, also when it fails.
 */
@DisplayName("The MTU mesh between two network namespaces")
class MtuMeshNamespacesIT {
  private static final int AGENT_PORT = 7347;
  private static final int TRUE_PATH_MTU = 1500;

  private NetworkNamespaces ns;
  private final List<CliProcess> processes = new ArrayList<>();
  private final Set<String> relayed = new HashSet<>();

  @BeforeAll
  static void needsRoot() {
    assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
        .as("network namespaces need root: run the integration tests as root (CI does)")
        .isZero();
  }

  @BeforeEach
  void namespaces() {
    ns = NetworkNamespaces.create(9000, 1500);
  }

  @AfterEach
  void removeNamespaces() {
    processes.forEach(CliProcess::close);
    String a = ns.a;
    ns.close();
    assertThat(NetworkNamespaces.exists(a)).as("namespace removed").isFalse();
  }

  @Test
  @DisplayName(
      "From the jumbo side, 1472 bytes pass, 8972 never arrive, and a mismatch with a path MTU"
          + " within 8 bytes of 1500 for the outbound direction reaches Kafka")
  void jumboSideSeesOutboundLoss() throws Exception {
    agentIn(ns.b);
    CliProcess prober = proberIn(ns.a, "ns-a", "--once");
    assertThat(prober.waitFor(Duration.ofSeconds(60))).as(prober.stderr()).isEqualTo(1);

    List<CloudEvent> events = relayAndReadBack(prober.stdout());
    assertThat(pings(events))
        .extracting(MtuPing::sizeBytes, MtuPing::ok, MtuPing::direction)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1472, true, "both"),
            org.assertj.core.groups.Tuple.tuple(8972, false, "out"));
    List<MtuMismatch> mismatches =
        payloads(events, EventType.PROBE_MTU_MISMATCH, MtuMismatch.class);
    assertThat(mismatches).hasSize(1);
    assertThat(mismatches.get(0).direction()).isEqualTo("out");
    assertThat(mismatches.get(0).peer()).isEqualTo(NetworkNamespaces.ADDRESS_B + ":" + AGENT_PORT);
    assertThat(mismatches.get(0).estimatedPathMtu())
        .isBetween(TRUE_PATH_MTU - 8, TRUE_PATH_MTU + 8);
    assertThat(events)
        .filteredOn(e -> e.type().equals(EventType.PROBE_MTU_MISMATCH.type()))
        .allSatisfy(e -> assertThat(e.subject()).isEqualTo("ns-a->198.18.0.2:7347"));
    assertThat(health(events, MtuHealth.MISMATCH))
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.status()).isEqualTo("HEALTH_WARN");
              assertThat(h.count()).isEqualTo(1);
              assertThat(h.detail()).singleElement().asString().contains("198.18.0.2:7347 out");
            });
    assertThat(health(events, MtuHealth.UNREACHABLE))
        .extracting(HealthChanged::status)
        .containsExactly("HEALTH_OK");
  }

  @Test
  @DisplayName(
      "From the 1500 side, the request arrives but the large reply is lost, and the mismatch"
          + " names the inbound direction with a path MTU within 8 bytes of 1500")
  void standardSideSeesInboundLoss() throws Exception {
    agentIn(ns.a);
    CliProcess prober = proberIn(ns.b, "ns-b", "--once");
    assertThat(prober.waitFor(Duration.ofSeconds(60))).as(prober.stderr()).isEqualTo(1);

    List<CloudEvent> events = relayAndReadBack(prober.stdout());
    assertThat(pings(events))
        .extracting(MtuPing::sizeBytes, MtuPing::ok, MtuPing::direction)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1472, true, "both"),
            org.assertj.core.groups.Tuple.tuple(8972, false, "in"));
    List<MtuMismatch> mismatches =
        payloads(events, EventType.PROBE_MTU_MISMATCH, MtuMismatch.class);
    assertThat(mismatches)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.direction()).isEqualTo("in");
              assertThat(m.estimatedPathMtu()).isBetween(TRUE_PATH_MTU - 8, TRUE_PATH_MTU + 8);
            });
  }

  @Test
  @DisplayName("In ICMP mode the system ping -M do finds the same path MTU without an agent")
  void icmpModeFindsThePathMtu() throws Exception {
    CliProcess prober =
        track(
            CliProcess.inNamespace(
                ns.a,
                "probe",
                "mtu",
                "--icmp",
                "--peer",
                NetworkNamespaces.ADDRESS_B,
                "--once",
                "--json",
                "--name",
                "ns-a",
                "--timeout",
                "300ms",
                "--attempts",
                "1",
                "--rate",
                "200"));
    assertThat(prober.waitFor(Duration.ofSeconds(60))).as(prober.stderr()).isEqualTo(1);

    List<CloudEvent> events = relayAndReadBack(prober.stdout());
    assertThat(pings(events)).extracting(MtuPing::mode).containsOnly("icmp");
    assertThat(payloads(events, EventType.PROBE_MTU_MISMATCH, MtuMismatch.class))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.peer()).isEqualTo(NetworkNamespaces.ADDRESS_B);
              assertThat(m.estimatedPathMtu()).isBetween(TRUE_PATH_MTU - 8, TRUE_PATH_MTU + 8);
            });
  }

  @Test
  @DisplayName("A running prober raises MTU_MISMATCH and clears it once both ends have MTU 9000")
  void checkClearsWhenBothEndsAreJumbo() throws Exception {
    agentIn(ns.b);
    CliProcess prober = proberIn(ns.a, "ns-a", "--interval", "1s");
    await().atMost(60, TimeUnit.SECONDS).until(() -> healthLines(prober, "HEALTH_WARN").size() > 0);

    ns.mtu(9000, 9000);
    await().atMost(60, TimeUnit.SECONDS).until(() -> healthLines(prober, "HEALTH_OK").size() > 0);
    prober.close();

    List<CloudEvent> events = relayAndReadBack(prober.stdout());
    // raised first (a round that overlaps the MTU change may update it), cleared last
    List<String> statuses =
        health(events, MtuHealth.MISMATCH).stream().map(HealthChanged::status).toList();
    assertThat(statuses).first().isEqualTo("HEALTH_WARN");
    assertThat(statuses).last().isEqualTo("HEALTH_OK");
    assertThat(statuses.subList(0, statuses.size() - 1)).containsOnly("HEALTH_WARN");
    assertThat(events)
        .filteredOn(e -> e.type().equals(EventType.HEALTH_CHANGED.type()))
        .extracting(CloudEvent::subject)
        .contains(MtuHealth.MISMATCH);
    assertThat(pings(events).get(pings(events).size() - 1))
        .satisfies(
            p -> {
              assertThat(p.sizeBytes()).isEqualTo(8972);
              assertThat(p.ok()).isTrue();
            });
  }

  private void agentIn(String namespace) {
    CliProcess agent =
        track(CliProcess.inNamespace(namespace, "agent", "mtu-echo", "--port", "" + AGENT_PORT));
    await()
        .atMost(30, TimeUnit.SECONDS)
        .until(() -> agent.stdout().stream().anyMatch(l -> l.contains("listening")));
  }

  private CliProcess proberIn(String namespace, String name, String... more) {
    String peer =
        (namespace.equals(ns.a) ? NetworkNamespaces.ADDRESS_B : NetworkNamespaces.ADDRESS_A)
            + ":"
            + AGENT_PORT;
    List<String> args =
        new ArrayList<>(
            List.of(
                "probe",
                "mtu",
                "--peer",
                peer,
                "--json",
                "--name",
                name,
                "--timeout",
                "300ms",
                "--attempts",
                "1",
                "--rate",
                "200"));
    args.addAll(List.of(more));
    return track(CliProcess.inNamespace(namespace, args.toArray(String[]::new)));
  }

  private CliProcess track(CliProcess process) {
    processes.add(process);
    return process;
  }

  private static List<HealthChanged> healthLines(CliProcess prober, String status) {
    List<HealthChanged> found = new ArrayList<>();
    for (String line : prober.stdout()) {
      CloudEvent event = EventCodec.instance().decode(line.getBytes(StandardCharsets.UTF_8));
      if (event.type().equals(EventType.HEALTH_CHANGED.type())) {
        HealthChanged h = EventCodec.MAPPER.convertValue(event.data(), HealthChanged.class);
        if (h.check().equals(MtuHealth.MISMATCH) && h.status().equals(status)) {
          found.add(h);
        }
      }
    }
    return found;
  }

  /** Publishes the prober's lines unchanged and reads back the events with those ids, in order. */
  private List<CloudEvent> relayAndReadBack(List<String> lines) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      for (String line : lines) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        CloudEvent event = EventCodec.instance().decode(bytes); // every line is a valid event
        relayed.add(event.id());
        producer
            .send(
                new ProducerRecord<>(
                    Topics.EVENTS, Topics.keyOf(event).getBytes(StandardCharsets.UTF_8), bytes))
            .get(30, TimeUnit.SECONDS);
      }
    }
    List<CloudEvent> events = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(Topics.EVENTS)) {
      CloudEvent event = EventCodec.instance().decode(record.value());
      if (relayed.contains(event.id())) {
        events.add(event);
      }
    }
    assertThat(events).hasSameSizeAs(lines);
    events.sort(java.util.Comparator.comparing(CloudEvent::id)); // UUIDv7: time order
    return events;
  }

  private static List<MtuPing> pings(List<CloudEvent> events) {
    return payloads(events, EventType.PROBE_MTU_PING, MtuPing.class);
  }

  private static List<HealthChanged> health(List<CloudEvent> events, String check) {
    return payloads(events, EventType.HEALTH_CHANGED, HealthChanged.class).stream()
        .filter(h -> h.check().equals(check))
        .toList();
  }

  private static <T> List<T> payloads(List<CloudEvent> events, EventType type, Class<T> payload) {
    return events.stream()
        .filter(e -> e.type().equals(type.type()))
        .map(e -> EventCodec.MAPPER.convertValue(e.data(), payload))
        .toList();
  }
}
