package io.valentia.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.Sleepers;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExperimentRunCommandIT {

  @Test
  @DisplayName(
      "experiment run pauses a real process, writes the journal file (0600), publishes the run on Kafka and exits 0")
  void runsFromTheCommandLine(@TempDir Path dir) throws Exception {
    try (Sleepers sleepers = new Sleepers()) {
      long pid = sleepers.start();
      Path experiment = dir.resolve("pause.yaml");
      Files.writeString(
          experiment,
          """
          title: The sleeper survives a pause
          configuration:
            target: %d
          steady-state-hypothesis:
            title: the sleeper is not stopped
            probes:
              - type: probe
                name: sleeper-state
                tolerance: {type: regex, pattern: "^[RS]"}
                provider: {type: process, path: /bin/sh, arguments: ["-c", "cut -d' ' -f3 /proc/${target}/stat"]}
          method:
            - type: action
              name: pause-sleeper
              provider: {type: valentia, fault: process-pause, arguments: {pid: "${target}", duration: 1s}}
              pauses: {after: 1.5}
          """
              .formatted(pid));
      Path journalFile = dir.resolve("journal.json");
      StringWriter out = new StringWriter();
      CommandLine cli = new CommandLine(new ExperimentCommand());
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(out));

      int code =
          cli.execute(
              "run",
              "--kafka",
              KafkaTestSupport.bootstrapServers(),
              "--data-dir",
              dir.toString(),
              "--allow",
              "pid=" + pid,
              "--allow",
              "executable=/bin/sh",
              "--journal",
              journalFile.toString(),
              experiment.toString());

      assertThat(code).as(out.toString()).isZero();
      assertThat(out.toString()).contains("pause-sleeper", "status: completed");
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(journalFile)))
          .as("the journal is readable by its owner only")
          .isEqualTo("rw-------");
      JsonNode journal = EventCodec.MAPPER.readTree(journalFile.toFile());
      assertThat(journal.path("status").asText()).isEqualTo("completed");
      assertThat(journal.path("deviated").asBoolean()).isFalse();
      assertThat(journal.path("experiment").path("title").asText())
          .isEqualTo("The sleeper survives a pause");
      assertThat(Sleepers.state(pid)).as("running, not stopped").isIn("S", "R");
      assertThat(Runs.eventsOf(journal.path("run_id").asText()))
          .extracting(CloudEvent::type)
          .contains(
              EventType.CHAOS_EXPERIMENT_STARTED.type(),
              EventType.CHAOS_EXPERIMENT_COMPLETED.type());
    }
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = new CommandLine(new ExperimentCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute(args);
  }

  @Test
  @DisplayName(
      "experiment run whose fault the allow-list refuses ends failed and exits 1; the output, the journal file and the completed event name the refused activity")
  void refusedFaultFailsTheRun(@TempDir Path dir) throws Exception {
    try (Sleepers sleepers = new Sleepers()) {
      long pid = sleepers.start();
      Path experiment = dir.resolve("refused.yaml");
      Files.writeString(
          experiment,
          """
          title: A pause the allow-list refuses
          method:
            - type: action
              name: pause-a-stranger
              provider: {type: valentia, fault: process-pause, arguments: {pid: %d, duration: 2s}}
          """
              .formatted(pid));
      Path journalFile = dir.resolve("journal.json");
      StringWriter out = new StringWriter();

      int code =
          run(
              out,
              "run",
              "--kafka",
              KafkaTestSupport.bootstrapServers(),
              "--data-dir",
              dir.toString(),
              "--allow",
              "pid=" + (pid + 1_000_000),
              "--journal",
              journalFile.toString(),
              experiment.toString());

      assertThat(code).as(out.toString()).isEqualTo(1);
      assertThat(out.toString())
          .contains("status: failed", "method action pause-a-stranger failed:")
          .contains("pid:" + pid + " is not on the allow-list");
      JsonNode journal = EventCodec.MAPPER.readTree(journalFile.toFile());
      assertThat(journal.path("status").asText()).isEqualTo("failed");
      assertThat(journal.path("deviated").asBoolean()).isFalse();
      assertThat(journal.path("failed_activity").path("name").asText())
          .isEqualTo("pause-a-stranger");
      assertThat(journal.path("failed_activity").path("phase").asText()).isEqualTo("method");
      assertThat(Sleepers.state(pid)).as("never stopped").isIn("S", "R");
      assertThat(Runs.eventsOf(journal.path("run_id").asText()))
          .filteredOn(e -> e.type().equals(EventType.CHAOS_EXPERIMENT_COMPLETED.type()))
          .singleElement()
          .satisfies(
              e -> {
                JsonNode data = e.data();
                assertThat(data.path("status").asText()).isEqualTo("failed");
                assertThat(data.path("failedActivity").asText()).isEqualTo("pause-a-stranger");
              });
    }
  }

  @Test
  @DisplayName(
      "experiment run keeps a process paused for the fault's whole duration when the method has nothing else to do, and exits 0")
  void faultDurationIsHonoured(@TempDir Path dir) throws Exception {
    try (Sleepers sleepers = new Sleepers()) {
      long pid = sleepers.start();
      Path experiment = dir.resolve("pause.yaml");
      Files.writeString(
          experiment,
          """
          title: A pause with nothing after it
          method:
            - type: action
              name: pause-sleeper
              provider: {type: valentia, fault: process-pause, arguments: {pid: %d, duration: 2s}}
          """
              .formatted(pid));
      Path journalFile = dir.resolve("journal.json");
      StringWriter out = new StringWriter();

      java.util.concurrent.CompletableFuture<Integer> code =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () ->
                  run(
                      out,
                      "run",
                      "--no-events",
                      "--allow",
                      "pid=" + pid,
                      "--journal",
                      journalFile.toString(),
                      experiment.toString()));
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> Sleepers.state(pid).equals("T"));

      assertThat(code.get(30, java.util.concurrent.TimeUnit.SECONDS)).as(out.toString()).isZero();
      JsonNode journal = EventCodec.MAPPER.readTree(journalFile.toFile());
      assertThat(journal.path("status").asText()).isEqualTo("completed");
      JsonNode run = journal.path("run");
      java.time.Instant until =
          java.time.Instant.parse(run.get(0).path("output").path("until").asText());
      assertThat(run.get(1).path("activity").path("name").asText()).isEqualTo("wait-for-faults");
      assertThat(java.time.Instant.parse(run.get(1).path("end").asText()))
          .as("the method lasted until the pause's end")
          .isAfter(until);
      assertThat(out.toString()).contains("wait-for-faults", "status: completed");
      assertThat(Sleepers.state(pid)).isIn("S", "R");
    }
  }
}
