package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.journal.FaultJournal;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.Sleepers;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HaltIT {
  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private final Sleepers sleepers = new Sleepers();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
  }

  @AfterEach
  void stop() throws Exception {
    sleepers.close();
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private ChaosInjector injector(KafkaSettings kafka) {
    return new ChaosInjector(
        Runs.running(Runs.allowing("pids"), "/bin/echo"),
        FaultCatalog.standard(),
        kafka,
        RunEvents.publishing(publisher),
        "/chaos/halt-test",
        Clock.systemUTC());
  }

  private static Experiment longPause(long pid) {
    return Runs.experiment(
        """
        {"title": "a long pause",
         "method": [
           {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia", "fault": "process-pause",
             "arguments": {"pid": %d, "duration": "60s"}}, "pauses": {"after": 60}}],
         "rollbacks": [{"type": "action", "name": "echo", "provider": {"type": "process", "path": "/bin/echo", "arguments": "rolled back"}}]}
        """
            .formatted(pid));
  }

  private static List<ChaosHalt> audits(String reason) {
    return KafkaTestSupport.readAll(Topics.EVENTS).stream()
        .map(ConsumerRecord::value)
        .map(
            v -> {
              try {
                return EventCodec.instance().decode(v);
              } catch (InvalidEventException e) {
                return null;
              }
            })
        .filter(e -> e != null && e.type().equals(EventType.CHAOS_HALT.type()))
        .map(e -> EventCodec.instance().payload(e, ChaosHalt.class))
        .filter(h -> reason.equals(h.reason()))
        .toList();
  }

  @Test
  @DisplayName(
      "Halt-all during a run continues the paused process within a second, interrupts the run after its rollbacks, refuses new runs until released, and is audited")
  void haltDuringRun() throws Exception {
    long pid = sleepers.start();
    String reason = "test " + UUID.randomUUID();
    try (ChaosInjector chaos = injector(null)) {
      CompletableFuture<Journal> run =
          CompletableFuture.supplyAsync(
              () -> chaos.runner().run(longPause(pid), ExperimentRunner.RunOptions.defaults()));
      await().atMost(Duration.ofSeconds(10)).until(() -> Sleepers.state(pid).equals("T"));

      int reverted = chaos.halt().halt(null, "tester", reason);

      assertThat(reverted).isEqualTo(1);
      await().atMost(Duration.ofSeconds(1)).until(() -> Sleepers.state(pid).equals("S"));
      Journal journal = run.get();
      assertThat(journal.status()).isEqualTo("interrupted");
      assertThat(journal.reason()).contains("halted by tester", reason);
      assertThat(journal.rollbacks())
          .extracting(r -> r.activity().path("name").asText())
          .containsExactly("echo");
      assertThat(chaos.faults().active()).isEmpty();

      assertThat(chaos.halt().halt(null, "tester", reason))
          .as("halting twice reverts nothing more")
          .isZero();
      assertThatThrownBy(
              () -> chaos.runner().run(longPause(pid), ExperimentRunner.RunOptions.defaults()))
          .isInstanceOf(FaultException.Refused.class)
          .hasMessageContaining("halted by tester");
      assertThatThrownBy(
              () ->
                  chaos
                      .faults()
                      .inject(
                          "x",
                          "process-pause",
                          EventCodec.MAPPER.readTree(
                              "{\"pid\": " + pid + ", \"duration\": \"1s\"}")))
          .isInstanceOf(FaultException.Refused.class);

      chaos.halt().release(null, "tester", reason);
      assertThat(
              chaos
                  .faults()
                  .inject(
                      "x",
                      "process-pause",
                      EventCodec.MAPPER.readTree(
                          "{\"pid\": " + pid + ", \"duration\": \"200ms\"}")))
          .isNotNull();
      await().atMost(Duration.ofSeconds(5)).until(() -> Sleepers.state(pid).equals("S"));
    }
    publisher.flush();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(audits(reason))
                    .extracting(
                        ChaosHalt::requestedBy, ChaosHalt::released, ChaosHalt::revertedFaults)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("tester", false, 1),
                        org.assertj.core.groups.Tuple.tuple("tester", false, 0),
                        org.assertj.core.groups.Tuple.tuple("tester", true, 0)));
  }

  @Test
  @DisplayName(
      "A halt reaches an injector that follows valentia.control, an injector started during the halt reads it from valentia.state.schedules, and a release lifts it")
  void haltThroughTheControlTopic() throws Exception {
    long pid = sleepers.start();
    String reason = "control " + UUID.randomUUID();
    try (ChaosInjector chaos = injector(KafkaTestSupport.settings()).followControl(TestSeal.SEAL)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> chaos.control().caughtUp());
      chaos
          .faults()
          .inject(
              "manual",
              "process-pause",
              EventCodec.MAPPER.readTree("{\"pid\": " + pid + ", \"duration\": \"60s\"}"));
      // SIGSTOP is delivered when the sleeper next runs: wait for it to stop
      await().atMost(Duration.ofSeconds(5)).until(() -> Sleepers.state(pid).equals("T"));

      send(chaos, new ChaosHalt("operator", reason, false, 0));

      await().atMost(Duration.ofSeconds(10)).until(() -> Sleepers.state(pid).equals("S"));
      assertThat(chaos.halt().halted()).isTrue();

      try (ChaosInjector late =
          injector(KafkaTestSupport.settings()).followControl(TestSeal.SEAL)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> late.control().caughtUp());
        assertThat(late.halt().halted())
            .as("an injector started during a halt reads it back")
            .isTrue();
      }

      send(chaos, new ChaosHalt("operator", reason, true, 0));
      await().atMost(Duration.ofSeconds(10)).until(() -> !chaos.halt().halted());
      assertThat(chaos.faults().refusal()).isNull();
    }
  }

  @Test
  @DisplayName(
      "An injector that cannot reach the control topic for longer than its lease reverts what it injected (dead-man switch)")
  void deadManSwitch() throws Exception {
    long pid = sleepers.start();
    KafkaSettings nowhere = KafkaSettings.local("127.0.0.1:1");
    ChaosInjector chaos =
        new ChaosInjector(
            new io.valentia.chaos.ChaosConfig(
                Runs.allowing("pids").policy(), Duration.ZERO, Duration.ofSeconds(2)),
            FaultCatalog.standard(),
            nowhere,
            RunEvents.none(),
            "/chaos/dead-man-test",
            Clock.systemUTC(),
            // the control topic is unreachable from the start: a journal on it would refuse the
            // fault, and the switch is what this test is about
            FaultJournal.none());
    try (chaos) {
      chaos
          .faults()
          .inject(
              "manual",
              "process-pause",
              EventCodec.MAPPER.readTree("{\"pid\": " + pid + ", \"duration\": \"60s\"}"));
      // SIGSTOP is delivered when the sleeper next runs: wait for it to stop
      await().atMost(Duration.ofSeconds(5)).until(() -> Sleepers.state(pid).equals("T"));
      chaos.followControl(TestSeal.SEAL);

      await().atMost(Duration.ofSeconds(15)).until(() -> Sleepers.state(pid).equals("S"));
      assertThat(chaos.control().tripped()).isTrue();
      assertThat(chaos.faults().refusal())
          .startsWith("dead-man switch: no contact with valentia.control");
      assertThat(chaos.faults().active()).isEmpty();
    }
  }

  /** Sends a halt or release as the API and the CLI do. */
  private void send(ChaosInjector through, ChaosHalt halt) throws Exception {
    CloudEvent command = CloudEvent.of(halt).source("/cli/test").subject("halt").build();
    new HaltBroadcast(through.state().control(), publisher, TestSeal.SEAL)
        .send(command, halt, TestSeal.SENDER)
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }
}
