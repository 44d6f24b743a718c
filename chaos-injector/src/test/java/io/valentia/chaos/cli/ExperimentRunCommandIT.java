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
      "experiment run pauses a real process, writes the journal file, publishes the run on Kafka and exits 0")
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
                provider: {type: process, path: sh, arguments: ["-c", "cut -d' ' -f3 /proc/${target}/stat"]}
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
              "--allow",
              "pid=" + pid,
              "--journal",
              journalFile.toString(),
              experiment.toString());

      assertThat(code).as(out.toString()).isZero();
      assertThat(out.toString()).contains("pause-sleeper", "status: completed");
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
}
