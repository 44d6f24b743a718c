package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.testing.Runs;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyscallExperimentIT {

  @Test
  @DisplayName(
      "A syscall-inject experiment journals the fault with its target, shows the command failing with EACCES, and publishes every step")
  void journalsTheFault(@TempDir Path dir) throws Exception {
    Runs.openToAll(dir);
    Path in = Files.writeString(dir.resolve("in"), "hello\n");
    Path result = dir.resolve("result");
    Experiment experiment =
        Runs.experiment(
            """
            {"title": "a reader that cannot open its file says so",
             "method": [
               {"type": "action", "name": "deny-open", "provider": {"type": "valentia", "fault": "syscall-inject",
                 "arguments": {"syscall": "openat", "error": "EACCES", "paths": ["%s"],
                   "command": ["sh", "-c", "cat %s > /dev/null 2>&1; echo $? > %s"], "duration": "5s"}}},
               {"type": "probe", "name": "reader-exit-code", "provider": {"type": "process", "path": "/bin/sh",
                 "arguments": ["-c", "for i in $(seq 50); do [ -s %s ] && break; sleep 0.1; done; cat %s"]}}]}
            """
                .formatted(in, in, result, result, result));
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
    Journal journal;
    try (ChaosInjector chaos =
        new ChaosInjector(
            Runs.running(Runs.allowing("hosts"), "/bin/sh"),
            FaultCatalog.standard(),
            KafkaTestSupport.settings(),
            RunEvents.publishing(publisher),
            "/chaos/test",
            Clock.systemUTC())) {
      journal =
          chaos.runner().run(experiment, new ExperimentRunner.RunOptions(null, Duration.ZERO));
    } finally {
      publisher.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    assertThat(journal.status()).isEqualTo("completed");
    var run = journal.toJson().path("run");
    assertThat(run.get(0).path("status").asText()).isEqualTo("succeeded");
    assertThat(run.get(0).path("output").path("targets").get(0).asText())
        .isEqualTo("host:localhost");
    assertThat(run.get(1).path("output").path("stdout").asText().strip()).isEqualTo("1");
    List<String> types = Runs.eventsOf(journal.runId()).stream().map(CloudEvent::type).toList();
    assertThat(types)
        .contains(
            EventType.CHAOS_EXPERIMENT_STARTED.type(),
            EventType.CHAOS_EXPERIMENT_STEP.type(),
            EventType.CHAOS_EXPERIMENT_COMPLETED.type());
  }
}
