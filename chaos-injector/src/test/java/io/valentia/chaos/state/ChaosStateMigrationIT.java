package io.valentia.chaos.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.faults.Undo;
import io.valentia.chaos.safety.HaltBroadcast;
import io.valentia.chaos.schedule.Scheduler;
import io.valentia.chaos.testing.ReadCounter;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.ChaosFault;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A platform upgraded from a release that kept chaos state only as records on valentia.control: the
 * first start builds the state tables from that history, and no later start reads it again.
 */
class ChaosStateMigrationIT {
  private final String run = UUID.randomUUID().toString();
  private final String open = "open-" + run;
  private final String reverted = "reverted-" + run;
  private final String failed = "failed-" + run;
  private final String kept = "kept-" + run;
  private final String removed = "removed-" + run;

  @Test
  @DisplayName(
      "The first start after the upgrade builds valentia.state.faults and valentia.state.schedules from valentia.control (open faults, schedules with their firings, the halt; records of other clients skipped), and the next start does not read valentia.control")
  void buildsOnceFromTheControlTopic() throws Exception {
    Instant first = Instant.parse("2026-11-29T03:00:00Z");
    Instant second = Instant.parse("2026-11-30T03:00:00Z");
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      send(producer, "fault/" + open, fault(open, ChaosFault.APPLYING));
      send(producer, "fault/" + reverted, fault(reverted, ChaosFault.APPLYING));
      send(producer, "fault/" + reverted, fault(reverted, ChaosFault.REVERTED));
      send(producer, "fault/" + failed, fault(failed, ChaosFault.APPLYING));
      send(producer, "fault/" + failed, fault(failed, ChaosFault.REVERT_FAILED));
      send(producer, "schedule/" + kept, schedule(kept));
      send(producer, "schedule/" + kept, firing(kept, first, "started", "run-1"));
      send(producer, "schedule/" + kept, firing(kept, second, "skipped: blackout", null));
      send(producer, "schedule/" + removed, schedule(removed));
      send(
          producer,
          "schedule/" + removed,
          new ExperimentScheduled("t", removed, "0 3 1 1 *", null, null, null, true));
      send(producer, "halt", new ChaosHalt("ops", "migration " + run, false, 0));
      producer
          .send(
              new ProducerRecord<>(
                  Topics.CONTROL,
                  "other".getBytes(StandardCharsets.UTF_8),
                  "{\"not\": \"an event\"}".getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
      producer.flush();
    }
    forgetMigrations();

    ReadCounter.reset();
    try (ChaosState state = ChaosState.open(ReadCounter.settings(), line -> {})) {
      assertThat(ReadCounter.fetched(Topics.CONTROL))
          .as("the one read of the history")
          .isGreaterThanOrEqualTo(11);
      assertThat(state.faults().get(open)).hasValueSatisfying(f -> assertOpen(f, "applying"));
      assertThat(state.faults().get(failed))
          .hasValueSatisfying(f -> assertOpen(f, ChaosFault.REVERT_FAILED));
      assertThat(state.faults().get(reverted)).isEmpty();
      assertThat(state.control().get(ControlState.scheduleKey(kept)))
          .hasValueSatisfying(v -> assertThat(v.schedule().experiment()).isNotNull());
      assertThat(state.control().get(ControlState.firedKey(kept)).map(ControlState::firings))
          .hasValue(
              List.of(
                  new Scheduler.Firing(first, "started", "run-1"),
                  new Scheduler.Firing(second, "skipped: blackout", null)));
      assertThat(state.control().get(ControlState.scheduleKey(removed))).isEmpty();
      assertThat(state.control().get(ControlState.HALT).map(ControlState::halt))
          .hasValueSatisfying(
              h -> {
                assertThat(h.halted()).isTrue();
                assertThat(h.reason()).isEqualTo("migration " + run);
              });
    }

    ReadCounter.reset();
    try (ChaosState state = ChaosState.open(ReadCounter.settings(), line -> {})) {
      assertThat(ReadCounter.fetched(Topics.CONTROL)).as("never again").isZero();
      assertThat(state.faults().get(open)).isPresent();
      cleanUp(state);
    }
  }

  private static void assertOpen(ChaosFault fault, String state) {
    assertThat(fault.state()).isEqualTo(state);
    assertThat(fault.undo()).as("the undo recorded when it was applied").isNotNull();
    assertThat(fault.host()).isEqualTo("old-host");
    assertThat(fault.pid()).isEqualTo(4242);
  }

  /** What a later test run must not find: the faults, the schedule and the halt. */
  private void cleanUp(ChaosState state) throws Exception {
    state.faults().remove(open).get(30, TimeUnit.SECONDS);
    state.faults().remove(failed).get(30, TimeUnit.SECONDS);
    state.control().remove(ControlState.scheduleKey(kept)).get(30, TimeUnit.SECONDS);
    state.control().remove(ControlState.firedKey(kept)).get(30, TimeUnit.SECONDS);
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
    try {
      ChaosHalt release = new ChaosHalt("ops", "migration test over", true, 0);
      new HaltBroadcast(state.control(), publisher, TestSeal.SEAL)
          .send(
              CloudEvent.of(release).source("/cli/test").subject("halt").build(),
              release,
              TestSeal.SENDER)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } finally {
      publisher.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** As if this release had never started here. */
  private static void forgetMigrations() throws Exception {
    try (StateTable<StateMigration.Migrated> migrations =
        StateTable.open(
            KafkaTestSupport.settings(), Topics.STATE_MIGRATIONS, StateMigration.Migrated.class)) {
      migrations.remove(Topics.STATE_FAULTS).get(30, TimeUnit.SECONDS);
      migrations.remove(Topics.STATE_SCHEDULES).get(30, TimeUnit.SECONDS);
    }
  }

  private static ChaosFault fault(String id, String state) {
    boolean applying = state.equals(ChaosFault.APPLYING);
    return new ChaosFault(
        id,
        "run-old",
        "process-pause",
        state,
        List.of("pid:4242"),
        applying ? Undo.steps() : null,
        applying ? "old-host" : "recovering-host",
        applying ? 4242 : 5151,
        null,
        null,
        applying ? null : "reverting failed");
  }

  private static ExperimentScheduled schedule(String id) {
    return new ExperimentScheduled(
        "t",
        id,
        "0 3 1 1 *",
        null,
        EventCodec.MAPPER.createObjectNode().put("title", "t"),
        null,
        null);
  }

  private static ExperimentScheduled firing(String id, Instant at, String outcome, String runId) {
    return new ExperimentScheduled(
        "t", id, "0 3 1 1 *", null, null, null, null, at, runId, outcome);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String key, EventPayload payload)
      throws Exception {
    CloudEvent event = CloudEvent.of(payload).source("/chaos/old-release").subject(key).build();
    producer
        .send(
            new ProducerRecord<>(
                Topics.CONTROL,
                key.getBytes(StandardCharsets.UTF_8),
                EventCodec.instance().encode(event)))
        .get(30, TimeUnit.SECONDS);
  }
}
