package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.Undo;
import io.valentia.chaos.state.ChaosState;
import io.valentia.chaos.testing.ReadCounter;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.ChaosFault;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What an injector reads when it starts: its state tables, not the history of valentia.control. */
class StartupReadsIT {
  private static final int NOISE = 20_000;

  @Test
  @DisplayName(
      "An injector that starts, recovers and follows the control topic reads the state tables and none of the thousands of records already on valentia.control")
  void startupReadsStateNotHistory() throws Exception {
    String faultId = "elsewhere-" + UUID.randomUUID();
    try (ChaosState state = ChaosState.open(KafkaTestSupport.settings(), line -> {})) {
      // an open fault of an injector on another host: read back, left alone
      state
          .faults()
          .put(
              faultId,
              new ChaosFault(
                  faultId,
                  "run-elsewhere",
                  "process-pause",
                  ChaosFault.APPLYING,
                  List.of("pid:1"),
                  Undo.steps(),
                  "another-host",
                  4242,
                  null,
                  null,
                  null))
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      for (int i = 0; i < NOISE; i++) {
        producer.send(
            new ProducerRecord<>(
                Topics.CONTROL,
                ("noise/" + i).getBytes(StandardCharsets.UTF_8),
                "{\"not\": \"a command\"}".getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }

    ReadCounter.reset();
    try (ChaosInjector injector =
        new ChaosInjector(
            Runs.allowing(),
            FaultCatalog.standard(),
            ReadCounter.settings(),
            RunEvents.none(),
            "/chaos/startup-test",
            Clock.systemUTC())) {
      List<String> recovered = injector.recover();
      injector.followControl(TestSeal.SEAL);
      await().atMost(Duration.ofSeconds(30)).until(() -> injector.control().caughtUp());

      assertThat(recovered).noneMatch(line -> line.contains("another-host"));
      assertThat(injector.state().faults().get(faultId)).isPresent();
    } finally {
      try (ChaosState state = ChaosState.open(KafkaTestSupport.settings(), line -> {})) {
        state.faults().remove(faultId).get(30, TimeUnit.SECONDS);
      }
    }

    assertThat(ReadCounter.fetched(Topics.STATE_FAULTS))
        .as("the open faults were read from their state table")
        .isPositive();
    assertThat(ReadCounter.fetched(Topics.CONTROL))
        .as("records fetched from " + Topics.CONTROL + ", which holds at least " + NOISE)
        .isLessThan(100);
  }
}
