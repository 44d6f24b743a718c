package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.Sleepers;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentRunIT {
  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private ChaosInjector chaos;
  private final Sleepers sleepers = new Sleepers();

  /** What the experiments of these tests run. */
  private static final String[] EXECUTABLES = {
    "/bin/sh",
    "/bin/true",
    "/bin/false",
    "/bin/echo",
    "/bin/touch",
    "/usr/bin/test",
    "/bin/rm",
    "/bin/sleep"
  };

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
    chaos =
        new ChaosInjector(
            Runs.running(Runs.allowing("pids"), EXECUTABLES),
            FaultCatalog.standard(),
            KafkaTestSupport.settings(),
            RunEvents.publishing(publisher),
            "/chaos/test",
            Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    chaos.close();
    sleepers.close();
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static String stateProbe(String name, long pid) {
    return """
        {"type": "probe", "name": "%s", "provider": {"type": "process", "path": "/bin/sh",
          "arguments": ["-c", "cut -d' ' -f3 /proc/%d/stat"]}}"""
        .formatted(name, pid);
  }

  @Test
  @DisplayName(
      "A process-pause experiment stops a real process (state T), continues it, holds its steady state, and journals and publishes every step")
  void pauseAndResume() throws Exception {
    long pid = sleepers.start();
    Experiment experiment =
        Runs.experiment(
            """
            {"title": "a paused sleeper comes back",
             "steady-state-hypothesis": {"title": "the sleeper is not stopped", "probes": [
               {"type": "probe", "name": "sleeper-runs", "tolerance": {"type": "regex", "pattern": "^[RS]"},
                "provider": {"type": "process", "path": "/bin/sh", "arguments": ["-c", "cut -d' ' -f3 /proc/%d/stat"]}}]},
             "method": [
               {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia", "fault": "process-pause",
                 "arguments": {"pid": %d, "duration": "1500ms"}}},
               %s,
               {"type": "action", "name": "wait-for-revert", "provider": {"type": "process", "path": "/bin/true"}, "pauses": {"after": 2}}],
             "rollbacks": [{"type": "action", "name": "say-done", "provider": {"type": "process", "path": "/bin/echo", "arguments": "done"}}]}
            """
                .formatted(pid, pid, stateProbe("sleeper-state", pid)));

    CompletableFuture<Journal> run =
        CompletableFuture.supplyAsync(
            () ->
                chaos
                    .runner()
                    .run(experiment, new ExperimentRunner.RunOptions(null, Duration.ZERO)));
    await().atMost(Duration.ofSeconds(10)).until(() -> Sleepers.state(pid).equals("T"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Sleepers.state(pid).equals("S"));
    Journal journal = run.get();

    assertThat(journal.status()).isEqualTo("completed");
    assertThat(journal.deviated()).isFalse();
    assertThat(journal.run())
        .extracting(r -> r.activity().path("name").asText())
        .containsExactly("pause-sleeper", "sleeper-state", "wait-for-revert");
    assertThat(journal.run().get(1).output().path("stdout").asText().strip()).isEqualTo("T");
    assertThat(journal.after()).allSatisfy(p -> assertThat(p.toleranceMet()).isTrue());

    JsonNode json = journal.toJson();
    assertThat(json.fieldNames())
        .toIterable()
        .contains(
            "chaoslib-version",
            "platform",
            "node",
            "experiment",
            "start",
            "end",
            "duration",
            "status",
            "deviated",
            "steady_states",
            "run",
            "rollbacks");
    assertThat(json.path("steady_states").path("before").path("steady_state_met").asBoolean())
        .isTrue();
    assertThat(
            json.path("steady_states")
                .path("after")
                .path("probes")
                .get(0)
                .path("tolerance_met")
                .asBoolean())
        .isTrue();
    JsonNode first = json.path("run").get(0);
    assertThat(first.path("status").asText()).isEqualTo("succeeded");
    assertThat(first.path("activity").path("provider").path("fault").asText())
        .isEqualTo("process-pause");
    assertThat(first.path("output").path("targets").get(0).asText()).isEqualTo("pid:" + pid);
    assertThat(first.has("start") && first.has("end") && first.path("duration").isNumber())
        .isTrue();
    assertThat(json.path("rollbacks").get(0).path("activity").path("name").asText())
        .isEqualTo("say-done");

    assertThat(publisher).isNotNull();
    List<String> types = Runs.eventsOf(journal.runId()).stream().map(CloudEvent::type).toList();
    assertThat(types)
        .contains(
            EventType.CHAOS_EXPERIMENT_STARTED.type(),
            EventType.CHAOS_EXPERIMENT_STEP.type(),
            EventType.CHAOS_EXPERIMENT_ROLLEDBACK.type(),
            EventType.CHAOS_EXPERIMENT_COMPLETED.type());
    assertThat(types.stream().filter(EventType.CHAOS_EXPERIMENT_STEP.type()::equals).count())
        .as("a running and an ended step per activity: 2 before, 3 method, 1 after, 1 rollback")
        .isEqualTo(2 * (1 + 3 + 1 + 1));
  }

  @Test
  @DisplayName(
      "A failed action fails the run and skips the rest of the method; the rollbacks still run, and a fault still active is reverted at once instead of at the end of its duration")
  void rollbacksAfterFailure(@TempDir Path dir) throws Exception {
    Runs.openToAll(dir);
    long pid = sleepers.start();
    Path marker = dir.resolve("rolled-back");
    Path skipped = dir.resolve("never-made");
    Experiment experiment =
        Runs.experiment(
            """
            {"title": "rollbacks run after a failure",
             "method": [
               {"type": "action", "name": "pause-for-a-minute", "provider": {"type": "valentia", "fault": "process-pause",
                 "arguments": {"pid": %d, "duration": "60s"}}},
               {"type": "action", "name": "this-fails", "provider": {"type": "process", "path": "/bin/false"}},
               {"type": "action", "name": "never-runs", "provider": {"type": "process", "path": "/bin/touch", "arguments": ["%s"]}}],
             "rollbacks": [{"type": "action", "name": "leave-a-mark", "provider": {"type": "process", "path": "/bin/touch", "arguments": ["%s"]}}]}
            """
                .formatted(pid, skipped, marker));

    Journal journal = chaos.runner().run(experiment, ExperimentRunner.RunOptions.defaults());

    assertThat(journal.status()).isEqualTo("failed");
    assertThat(journal.deviated()).isFalse();
    assertThat(journal.reason()).contains("this-fails", "/bin/false exited with 1");
    assertThat(journal.failure())
        .isEqualTo(
            new Journal.Failure(
                "method", "this-fails", "action", journal.run().get(1).exception()));
    assertThat(journal.run())
        .extracting(r -> r.activity().path("name").asText())
        .containsExactly("pause-for-a-minute", "this-fails");
    assertThat(Files.exists(skipped)).as("the activity after the failure did not run").isFalse();
    assertThat(journal.run().get(1).status()).isEqualTo("failed");
    assertThat(journal.run().get(1).exception()).contains("false exited with 1");
    assertThat(Files.exists(marker)).isTrue();
    assertThat(Sleepers.state(pid)).as("running, not stopped").isIn("S", "R");
    assertThat(journal.rollbacks())
        .extracting(r -> r.activity().path("name").asText())
        .containsExactly("revert-faults", "leave-a-mark");
    assertThat(journal.rollbacks()).allSatisfy(r -> assertThat(r.status()).isEqualTo("succeeded"));
    assertThat(chaos.faults().active()).isEmpty();
  }

  @Test
  @DisplayName(
      "A steady state that deviates during the method aborts the run, and the rollbacks repair it")
  void deviationDuringAborts(@TempDir Path dir) throws Exception {
    Runs.openToAll(dir);
    Path healthy = dir.resolve("healthy");
    Files.createFile(healthy);
    Experiment experiment =
        Runs.experiment(
            """
            {"title": "deviation aborts",
             "steady-state-hypothesis": {"title": "healthy", "probes": [
               {"type": "probe", "name": "healthy-file-exists", "tolerance": 0,
                "provider": {"type": "process", "path": "/usr/bin/test", "arguments": ["-f", "%1$s"]}}]},
             "method": [
               {"type": "action", "name": "break-it", "provider": {"type": "process", "path": "/bin/rm", "arguments": ["%1$s"]}},
               {"type": "action", "name": "wait-long", "provider": {"type": "process", "path": "/bin/sleep", "arguments": "30"}}],
             "rollbacks": [{"type": "action", "name": "repair-it", "provider": {"type": "process", "path": "/bin/touch", "arguments": ["%1$s"]}}]}
            """
                .formatted(healthy));

    Journal journal =
        chaos
            .runner()
            .run(experiment, new ExperimentRunner.RunOptions(null, Duration.ofMillis(300)));

    assertThat(journal.status()).isEqualTo("aborted");
    assertThat(journal.deviated()).isTrue();
    assertThat(journal.reason()).contains("healthy-file-exists");
    assertThat(journal.during()).anySatisfy(p -> assertThat(p.toleranceMet()).isFalse());
    assertThat(journal.after()).isNull();
    assertThat(journal.rollbacks()).extracting(r -> r.status()).containsExactly("succeeded");
    assertThat(Files.exists(healthy)).isTrue();
    List<String> types = Runs.eventsOf(journal.runId()).stream().map(CloudEvent::type).toList();
    assertThat(types)
        .contains(
            EventType.CHAOS_EXPERIMENT_DEVIATED.type(), EventType.CHAOS_EXPERIMENT_ABORTED.type());
  }

  @Test
  @DisplayName(
      "A fault on a target that is not on the allow-list is refused: the run ends failed, and its journal and its completed event name the refused activity")
  void allowList() throws Exception {
    try (ChaosInjector closed =
        new ChaosInjector(
            Runs.allowing("namespaces"),
            FaultCatalog.standard(),
            null,
            RunEvents.publishing(publisher),
            "/chaos/test",
            Clock.systemUTC())) {
      long pid = sleepers.start();
      Experiment experiment =
          Runs.experiment(
              """
              {"title": "not allowed", "method": [
                {"type": "action", "name": "pause", "provider": {"type": "valentia", "fault": "process-pause",
                  "arguments": {"pid": %d, "duration": "5s"}}}]}
              """
                  .formatted(pid));

      Journal journal = closed.runner().run(experiment, ExperimentRunner.RunOptions.defaults());

      assertThat(journal.run().get(0).status()).isEqualTo("failed");
      assertThat(journal.run().get(0).exception())
          .contains("pid:" + pid + " is not on the allow-list");
      // running or asleep (a sleeper just started may not sleep yet), never stopped
      assertThat(Sleepers.state(pid)).isIn("R", "S");
      assertThat(journal.status()).isEqualTo("failed");
      assertThat(journal.deviated()).isFalse();
      assertThat(journal.reason())
          .isEqualTo("method action pause failed: " + journal.run().get(0).exception());
      JsonNode failed = journal.toJson().path("failed_activity");
      assertThat(failed.path("phase").asText()).isEqualTo("method");
      assertThat(failed.path("name").asText()).isEqualTo("pause");
      assertThat(failed.path("error").asText()).contains("is not on the allow-list");
      assertThat(publisher).isNotNull();
      JsonNode data =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> completedEvent(journal.runId()), java.util.Objects::nonNull);
      assertThat(data.path("status").asText()).isEqualTo("failed");
      assertThat(data.path("failedPhase").asText()).isEqualTo("method");
      assertThat(data.path("failedActivity").asText()).isEqualTo("pause");
      assertThat(data.path("reason").asText()).contains("is not on the allow-list");
    }
  }

  /** The data of the run's completed event on valentia.events; null until it is there. */
  private static JsonNode completedEvent(String runId) {
    return Runs.eventsOf(runId).stream()
        .filter(e -> e.type().equals(EventType.CHAOS_EXPERIMENT_COMPLETED.type()))
        .map(CloudEvent::data)
        .findFirst()
        .orElse(null);
  }

  @Test
  @DisplayName(
      "An activity that says tolerate_failure may fail: the run goes on with the next activity and completes")
  void toleratedFailure(@TempDir Path dir) throws Exception {
    Runs.openToAll(dir);
    Path after = dir.resolve("after");
    Experiment experiment =
        Runs.experiment(
            """
            {"title": "a tolerated failure",
             "method": [
               {"type": "action", "name": "may-fail", "tolerate_failure": true,
                "provider": {"type": "process", "path": "/bin/false"}},
               {"type": "action", "name": "runs-after", "provider": {"type": "process", "path": "/bin/touch", "arguments": ["%s"]}}]}
            """
                .formatted(after));

    Journal journal = chaos.runner().run(experiment, ExperimentRunner.RunOptions.defaults());

    assertThat(journal.status()).isEqualTo("completed");
    assertThat(journal.failure()).isNull();
    assertThat(journal.run()).extracting(r -> r.status()).containsExactly("failed", "succeeded");
    assertThat(journal.run().get(0).activity().path("tolerate_failure").asBoolean()).isTrue();
    assertThat(Files.exists(after)).isTrue();
  }

  @Test
  @DisplayName(
      "A fault outlives a method that ends first: the run keeps its method until the fault's duration is over, checking the steady state meanwhile, and the process is stopped all that time")
  void methodLastsAsLongAsItsFaults() throws Exception {
    long pid = sleepers.start();
    Experiment experiment =
        Runs.experiment(
            """
            {"title": "a pause outlives the method",
             "steady-state-hypothesis": {"title": "the probe answers", "probes": [
               {"type": "probe", "name": "true-answers", "tolerance": 0,
                "provider": {"type": "process", "path": "/bin/true"}}]},
             "method": [
               {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia", "fault": "process-pause",
                 "arguments": {"pid": %d, "duration": "2500ms"}}}]}
            """
                .formatted(pid));

    CompletableFuture<Journal> run =
        CompletableFuture.supplyAsync(
            () ->
                chaos
                    .runner()
                    .run(
                        experiment, new ExperimentRunner.RunOptions(null, Duration.ofMillis(300))));
    await().atMost(Duration.ofSeconds(10)).until(() -> Sleepers.state(pid).equals("T"));
    Journal journal = run.get();

    assertThat(journal.status()).isEqualTo("completed");
    assertThat(journal.run())
        .extracting(r -> r.activity().path("name").asText())
        .containsExactly("pause-sleeper", ExperimentRunner.WAIT_FOR_FAULTS);
    java.time.Instant until =
        java.time.Instant.parse(journal.run().get(0).output().path("until").asText());
    var wait = journal.run().get(1);
    assertThat(wait.status()).isEqualTo("succeeded");
    assertThat(wait.end()).as("the method ended once the fault had run its course").isAfter(until);
    assertThat(wait.output().path("faults").get(0).path("fault").asText())
        .isEqualTo("process-pause");
    assertThat(journal.during())
        .as("the steady state was checked while the method waited")
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.toleranceMet()).isTrue());
    assertThat(journal.after()).allSatisfy(p -> assertThat(p.start()).isAfter(until));
    assertThat(Sleepers.state(pid)).isIn("S", "R");
    assertThat(chaos.faults().active()).isEmpty();
  }

  @Test
  @DisplayName(
      "A halt or an abort ends a method that waits for its faults at once: the run ends interrupted or aborted and the process runs again")
  void haltAndAbortEndTheWait() throws Exception {
    long pid = sleepers.start();
    String json =
        """
        {"title": "a long pause", "method": [
          {"type": "action", "name": "pause-for-a-minute", "provider": {"type": "valentia", "fault": "process-pause",
            "arguments": {"pid": %d, "duration": "60s"}}}]}
        """
            .formatted(pid);
    List<CloudEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ChaosInjector local =
        new ChaosInjector(
            Runs.allowing("pids"),
            FaultCatalog.standard(),
            null,
            seen::add,
            "/chaos/test",
            Clock.systemUTC())) {
      CompletableFuture<Journal> aborted =
          CompletableFuture.supplyAsync(
              () ->
                  local
                      .runner()
                      .run(
                          Runs.experiment(json),
                          new ExperimentRunner.RunOptions("abort-" + pid, Duration.ZERO)));
      awaitWaiting(seen, "abort-" + pid);
      assertThat(Sleepers.state(pid)).isEqualTo("T");
      assertThat(local.runner().stop("abort-" + pid, "aborted", "enough", "test")).isTrue();
      Journal first = aborted.get(20, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(first.status()).isEqualTo("aborted");
      assertThat(first.run())
          .extracting(r -> r.activity().path("name").asText())
          .containsExactly("pause-for-a-minute", ExperimentRunner.WAIT_FOR_FAULTS);
      assertThat(first.run().get(1).exception()).contains("the run was stopped: enough");
      assertThat(Sleepers.state(pid)).isIn("S", "R");

      CompletableFuture<Journal> halted =
          CompletableFuture.supplyAsync(
              () ->
                  local
                      .runner()
                      .run(
                          Runs.experiment(json),
                          new ExperimentRunner.RunOptions("halt-" + pid, Duration.ZERO)));
      awaitWaiting(seen, "halt-" + pid);
      assertThat(local.halt().halt(null, "test", "the game day is over")).isEqualTo(1);
      Journal second = halted.get(20, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(second.status()).isEqualTo("interrupted");
      assertThat(second.run().get(1).exception()).contains("the run was stopped");
      assertThat(Sleepers.state(pid)).isIn("S", "R");
      assertThat(local.faults().active()).isEmpty();
    }
  }

  /** Waits until run {@code runId} has said that its method waits for its faults. */
  private static void awaitWaiting(List<CloudEvent> seen, String runId) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                seen.stream()
                    .anyMatch(
                        e ->
                            runId.equals(e.experimentId())
                                && e.type().equals(EventType.CHAOS_EXPERIMENT_STEP.type())
                                && e.data()
                                    .path("activity")
                                    .asText()
                                    .equals(ExperimentRunner.WAIT_FOR_FAULTS)));
  }

  @Test
  @DisplayName("An event-query probe counts matching events on valentia.events within its window")
  void eventProbe() throws Exception {
    String subject = "frames-" + java.util.UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      publisher
          .publish(
              CloudEvent.of(
                      new io.valentia.eventbus.payload.FrameDropped(
                          90, 2, i * 10L, i * 10L + 1, 25_000, "loop"))
                  .source("/probes/frames/test")
                  .subject(subject)
                  .build())
          .toCompletionStage()
          .toCompletableFuture()
          .get();
    }
    EventProbes probes = new EventProbes(KafkaTestSupport.settings(), Clock.systemUTC());

    JsonNode count =
        probes.run(
            "event-count",
            io.valentia.eventbus.EventCodec.MAPPER.readTree(
                "{\"type\": \"io.valentia.probe.frame.*\", \"subject\": \""
                    + subject
                    + "\", \"window\": \"1m\", \"where\": {\"hz\": 90}}"));
    JsonNode none =
        probes.run(
            "event-count",
            io.valentia.eventbus.EventCodec.MAPPER.readTree(
                "{\"type\": \"io.valentia.probe.frame.dropped.v1\", \"subject\": \""
                    + subject
                    + "\", \"where\": {\"hz\": 60}}"));

    assertThat(count.asLong()).isEqualTo(3);
    assertThat(none.asLong()).isZero();
  }
}
