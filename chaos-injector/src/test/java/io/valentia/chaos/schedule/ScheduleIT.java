package io.valentia.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.ChaosCommands;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The schedule and halt commands against the real broker, and an injector that follows them. */
class ScheduleIT {
  private final StringWriter out = new StringWriter();

  private int valentia(String... args) {
    CommandLine cli = new CommandLine(new Root());
    new ChaosCommands().commands().forEach(cli::addSubcommand);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute(args);
  }

  @CommandLine.Command(name = "valentia")
  static final class Root implements Runnable {
    @Override
    public void run() {}
  }

  @Test
  @DisplayName(
      "schedule add puts an experiment in valentia.state.schedules, an injector following it runs it on time, list shows it and remove stops it")
  void scheduleThroughTheControlTopic() throws Exception {
    String bootstrap = KafkaTestSupport.bootstrapServers();
    String id = "test-" + UUID.randomUUID();
    List<String> launched = new CopyOnWriteArrayList<>();
    Scheduler scheduler =
        new Scheduler(
            Clock.systemUTC(),
            schedule -> {
              if (schedule.id().equals(id)) { // other tests' schedules may be in the table
                launched.add(schedule.id());
              }
              return new Scheduler.RunHandle() {
                @Override
                public String runId() {
                  return "run-" + launched.size();
                }

                @Override
                public boolean running() {
                  return false;
                }

                @Override
                public void stop(String reason) {}
              };
            },
            new Random());
    try (ChaosInjector chaos =
            new ChaosInjector(
                    Runs.allowing(),
                    FaultCatalog.standard(),
                    KafkaTestSupport.settings(),
                    RunEvents.none(),
                    "/chaos/schedule-test",
                    Clock.systemUTC())
                .followControl(TestSeal.SEAL);
        ScheduleTable table =
            new ScheduleTable(KafkaTestSupport.settings(), chaos.state().control(), TestSeal.SEAL)
                .follow(scheduler)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> chaos.control().caughtUp());

      assertThat(
              valentia(
                  "schedule",
                  "add",
                  "--kafka",
                  bootstrap,
                  "--data-dir",
                  TestSeal.DATA_DIR.toString(),
                  "--id",
                  id,
                  "--every",
                  "1s",
                  "--concurrency",
                  "allow",
                  "src/test/resources/experiments/every-feature.yaml"))
          .as(out.toString())
          .isZero();
      assertThat(out.toString()).contains("scheduled 'The frame loop", id);

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> scheduler.states().stream().anyMatch(s -> s.schedule().id().equals(id)));
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                scheduler.tick();
                return launched.contains(id);
              });

      assertThat(valentia("schedule", "list", "--kafka", bootstrap)).isZero();
      assertThat(out.toString()).contains(id, "every 1s");

      assertThat(
              valentia(
                  "schedule",
                  "remove",
                  "--kafka",
                  bootstrap,
                  "--data-dir",
                  TestSeal.DATA_DIR.toString(),
                  id))
          .isZero();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> scheduler.states().stream().noneMatch(s -> s.schedule().id().equals(id)));
      assertThat(
              valentia(
                  "schedule",
                  "remove",
                  "--kafka",
                  bootstrap,
                  "--data-dir",
                  TestSeal.DATA_DIR.toString(),
                  id))
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "valentia halt reaches an injector through valentia.control, and valentia halt --release lifts it")
  void haltCommand() throws Exception {
    String bootstrap = KafkaTestSupport.bootstrapServers();
    try (ChaosInjector chaos =
        new ChaosInjector(
                Runs.allowing(),
                FaultCatalog.standard(),
                KafkaTestSupport.settings(),
                RunEvents.none(),
                "/chaos/halt-cli-test",
                Clock.systemUTC())
            .followControl(TestSeal.SEAL)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> chaos.control().caughtUp());

      assertThat(
              valentia(
                  "halt",
                  "--kafka",
                  bootstrap,
                  "--data-dir",
                  TestSeal.DATA_DIR.toString(),
                  "--reason",
                  "game day is over",
                  "--by",
                  "ops"))
          .as(out.toString())
          .isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> chaos.halt().halted());
      assertThat(chaos.faults().refusal()).contains("halted by ops: game day is over");

      assertThat(
              valentia(
                  "halt",
                  "--kafka",
                  bootstrap,
                  "--data-dir",
                  TestSeal.DATA_DIR.toString(),
                  "--release",
                  "--json"))
          .isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> !chaos.halt().halted());
    }
  }
}
