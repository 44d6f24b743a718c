package io.valentia.chaos.closedloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.EventProbes;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.HostCommand;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.testing.CommandMain;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.probes.mtu.MtuProbeCommand;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MTU closed loop: a veth pair between this host and a network namespace, jumbo frames on both
 * ends; the MTU probe pings across it and publishes to Kafka; an experiment drops the far end's MTU
 * to 1500, the probe reports an MTU mismatch, the steady state ("no MTU mismatch") deviates, the
 * run aborts and the MTU is put back.
 */
class MtuBlackHoleIT {
  private final int suffix = ThreadLocalRandom.current().nextInt(100_000, 999_999);
  private final String namespace = "vmtu-" + suffix;
  private final String near = "vmh" + suffix;
  private final String far = "vmr" + suffix;
  private final int net = ThreadLocalRandom.current().nextInt(0, 63) * 4;
  private final String farAddress = "10.233." + (suffix % 250) + "." + (net + 2);
  private final String probeName = "mtu-loop-" + suffix;

  private static void sh(String... argv) throws Exception {
    HostCommand.require(List.of(argv));
  }

  @BeforeEach
  void link() throws Exception {
    String nearAddress = "10.233." + (suffix % 250) + "." + (net + 1);
    sh("ip", "netns", "add", namespace);
    sh("ip", "link", "add", near, "type", "veth", "peer", "name", far, "netns", namespace);
    sh("ip", "addr", "add", nearAddress + "/30", "dev", near);
    sh("ip", "-n", namespace, "addr", "add", farAddress + "/30", "dev", far);
    sh("ip", "link", "set", near, "mtu", "9000", "up");
    sh("ip", "-n", namespace, "link", "set", far, "mtu", "9000", "up");
    sh("ip", "-n", namespace, "link", "set", "lo", "up");
  }

  @AfterEach
  void unlink() throws Exception {
    HostCommand.run(List.of("ip", "netns", "del", namespace), null, Duration.ofSeconds(10));
    HostCommand.run(List.of("ip", "link", "del", near), null, Duration.ofSeconds(10));
  }

  @Test
  @DisplayName(
      "An MTU experiment on a namespace pair makes the MTU probe report MTU_MISMATCH on Kafka; the steady state deviates, the run aborts and the MTU is restored")
  void mtuMismatchAbortsTheRun(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("mtu.log");
    Process probe =
        CommandMain.process(
                log,
                List.of(),
                MtuProbeCommand.class,
                "--icmp",
                "--peer",
                farAddress,
                "--interval",
                "1s",
                "--timeout",
                "300ms",
                "--attempts",
                "1",
                "--name",
                probeName,
                "--kafka",
                KafkaTestSupport.bootstrapServers())
            .start();
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "mtu-loop-test");
    try (ChaosInjector chaos =
        new ChaosInjector(
            Runs.allowing("namespaces", "interfaces"),
            FaultCatalog.standard(),
            KafkaTestSupport.settings(),
            RunEvents.publishing(publisher),
            "/chaos/mtu-loop-test",
            Clock.systemUTC())) {
      EventProbes probes = new EventProbes(KafkaTestSupport.settings(), Clock.systemUTC());
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThat(probes.run("event-count", query("mtu.ping", "5s")).asLong())
                      .as(() -> "the MTU probe pings the far end: " + read(log))
                      .isPositive());

      String runId = EventIds.next();
      Journal journal =
          chaos
              .runner()
              .run(
                  Runs.experiment(
                      """
                      {"title": "Storage traffic survives an MTU change on one end",
                       "steady-state-hypothesis": {"title": "no MTU mismatch",
                         "probes": [{"type": "probe", "name": "no-mtu-mismatch",
                           "tolerance": 0,
                           "provider": {"type": "valentia", "probe": "event-count",
                                        "arguments": %s}}]},
                       "method": [{"type": "action", "name": "shrink-far-end-mtu",
                         "provider": {"type": "valentia", "fault": "mtu",
                                      "arguments": {"namespace": "%s", "interface": "%s",
                                                    "mtu": 1500, "duration": "45s"}},
                         "pauses": {"after": 40}}]}
                      """
                          .formatted(query("mtu.mismatch", "3s"), namespace, far)),
                  new ExperimentRunner.RunOptions(runId, Duration.ofSeconds(2)));

      assertThat(journal.status()).as(journal.toJson().toPrettyString()).isEqualTo("aborted");
      assertThat(journal.deviated()).isTrue();
      assertThat(journal.reason()).contains("no-mtu-mismatch");
      assertThat(journal.before()).allMatch(r -> Boolean.TRUE.equals(r.toleranceMet()));
      assertThat(journal.rollbacks())
          .anyMatch(r -> r.activity().path("name").asText().equals("revert-faults"));
      assertThat(journal.duration()).isLessThan(Duration.ofSeconds(40));
      assertThat(HostCommand.require(List.of("ip", "-n", namespace, "link", "show", far)))
          .as("the MTU is restored")
          .contains("mtu 9000");
      List<CloudEvent> fromProbe = eventsFrom("/probes/mtu/" + probeName);
      assertThat(fromProbe)
          .filteredOn(e -> e.type().equals(EventType.PROBE_MTU_MISMATCH.type()))
          .isNotEmpty()
          .allSatisfy(
              e ->
                  assertThat(EventCodec.instance().payload(e, MtuMismatch.class).estimatedPathMtu())
                      .isBetween(1500, 1504));
      assertThat(fromProbe)
          .filteredOn(e -> e.type().equals(EventType.HEALTH_CHANGED.type()))
          .extracting(CloudEvent::subject)
          .contains("MTU_MISMATCH");
      assertThat(Runs.eventsOf(runId))
          .extracting(CloudEvent::type)
          .contains(
              EventType.CHAOS_EXPERIMENT_DEVIATED.type(),
              EventType.CHAOS_EXPERIMENT_ABORTED.type(),
              EventType.CHAOS_EXPERIMENT_ROLLEDBACK.type());
    } finally {
      probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      publisher.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private JsonNode query(String type, String window) throws Exception {
    return EventCodec.MAPPER.readTree(
        """
        {"type": "io.valentia.probe.%s.v1", "source": "/probes/mtu/%s", "window": "%s"}
        """
            .formatted(type, probeName, window));
  }

  private static List<CloudEvent> eventsFrom(String source) {
    List<CloudEvent> events = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readAll(Topics.EVENTS)) {
      try {
        CloudEvent e = EventCodec.instance().decode(r.value());
        if (source.equals(e.source())) {
          events.add(e);
        }
      } catch (InvalidEventException ignored) {
        // other tests' records
      }
    }
    return events;
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return "";
    }
  }
}
