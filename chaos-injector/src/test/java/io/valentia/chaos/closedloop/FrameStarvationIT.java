package io.valentia.chaos.closedloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.EventProbes;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.testing.CommandMain;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.probes.frames.FramesCommand;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop on this machine: a frame probe runs as a process of its own and publishes to
 * Kafka; an experiment starves it of CPU with a cgroup quota; the dropped frames reach Kafka; the
 * steady-state probe (an event query over them) deviates; the run aborts and its rollback lifts the
 * quota.
 */
class FrameStarvationIT {

  @Test
  @DisplayName(
      "A CPU quota on the frame probe makes frames drop, the dropped-frame rate deviates from the measured baseline, the run aborts and the quota is removed; the journal and the events show every step")
  void starvedFrameLoopAbortsTheRun(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("frames.log");
    Process probe =
        CommandMain.process(
                log,
                List.of(),
                FramesCommand.class,
                "--hz",
                "20",
                "--work-ms",
                "1",
                "--duration",
                "120s",
                "--no-realtime",
                "--max-drop-percent",
                "100",
                "--kafka",
                KafkaTestSupport.bootstrapServers())
            .start();
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "frame-loop-test");
    try (ChaosInjector chaos =
        new ChaosInjector(
            Runs.allowing("pids"),
            FaultCatalog.standard(),
            KafkaTestSupport.settings(),
            RunEvents.publishing(publisher),
            "/chaos/frame-loop-test",
            Clock.systemUTC())) {
      String cgroupBefore = cgroupOf(probe.pid());
      EventProbes probes = new EventProbes(KafkaTestSupport.settings(), Clock.systemUTC());
      JsonNode stats =
          EventCodec.MAPPER.readTree(
              """
              {"type": "io.valentia.probe.frame.stats.v1", "window": "3s"}
              """);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .alias("the frame probe publishes stats each second")
          .untilAsserted(
              () ->
                  assertThat(probes.run("event-count", stats).asLong())
                      .as(() -> read(log))
                      .isGreaterThanOrEqualTo(2));
      // the baseline: an idle machine drops a few frames, a busy one more; a slow loop (20 Hz)
      // keeps it low even on a loaded machine, while a 3 % quota drops most of its frames
      double baseline = probes.run("event-rate", dropped("5s")).asDouble();
      double limit = Math.max(6, 2 * baseline + 3);

      String runId = EventIds.next();
      Journal journal =
          chaos
              .runner()
              .run(
                  Runs.experiment(
                      """
                      {"title": "The frame loop keeps its pace when starved of CPU",
                       "steady-state-hypothesis": {"title": "few dropped frames",
                         "probes": [{"type": "probe", "name": "dropped-frames-per-second",
                           "tolerance": {"type": "range", "range": [0, %s]},
                           "provider": {"type": "valentia", "probe": "event-rate",
                                        "arguments": %s}}]},
                       "method": [{"type": "action", "name": "starve-the-frame-loop",
                         "provider": {"type": "valentia", "fault": "cpu-quota",
                                      "arguments": {"pid": %d, "percent": 3, "duration": "45s"}},
                         "pauses": {"after": 40}}]}
                      """
                          .formatted(limit, dropped("5s"), probe.pid())),
                  new ExperimentRunner.RunOptions(runId, Duration.ofSeconds(2)));

      assertThat(journal.status()).as(journal.toJson().toPrettyString()).isEqualTo("aborted");
      assertThat(journal.deviated()).isTrue();
      assertThat(journal.reason()).contains("dropped-frames-per-second");
      assertThat(journal.before()).allMatch(r -> Boolean.TRUE.equals(r.toleranceMet()));
      assertThat(journal.during()).anyMatch(r -> Boolean.FALSE.equals(r.toleranceMet()));
      assertThat(journal.run()).extracting(r -> r.status()).contains("succeeded");
      assertThat(journal.rollbacks())
          .anyMatch(r -> r.activity().path("name").asText().equals("revert-faults"));
      assertThat(journal.duration()).isLessThan(Duration.ofSeconds(40));
      assertThat(cgroupOf(probe.pid())).as("the quota is lifted").isEqualTo(cgroupBefore);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(Runs.eventsOf(runId))
                      .extracting(CloudEvent::type)
                      .contains(
                          EventType.CHAOS_EXPERIMENT_STARTED.type(),
                          EventType.CHAOS_EXPERIMENT_STEP.type(),
                          EventType.CHAOS_EXPERIMENT_DEVIATED.type(),
                          EventType.CHAOS_EXPERIMENT_ABORTED.type(),
                          EventType.CHAOS_EXPERIMENT_ROLLEDBACK.type(),
                          EventType.CHAOS_EXPERIMENT_COMPLETED.type()));
      assertThat(probes.run("event-count", dropped("60s")).asDouble())
          .as("dropped frames are on Kafka")
          .isGreaterThan(limit);
    } finally {
      probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      publisher.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static JsonNode dropped(String window) throws Exception {
    return EventCodec.MAPPER.readTree(
        """
        {"type": "io.valentia.probe.frame.dropped.v1", "source": "/probes/frames/*",
         "sum": "frames", "window": "%s"}
        """
            .formatted(window));
  }

  private static String cgroupOf(long pid) throws Exception {
    return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return "";
    }
  }
}
