package io.valentia.chaos.schedule;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.ExperimentScheduled;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Schedules as records on {@code valentia.control} ({@code chaos.experiment.scheduled} events keyed
 * {@code schedule/ID}): the latest record of an id is its state; a record with {@code removed}
 * removes it.
 */
public final class ScheduleRecords {
  private ScheduleRecords() {}

  /** The record key of a schedule. */
  public static String key(String id) {
    return "schedule/" + id;
  }

  /** The control record for {@code schedule}. */
  public static ExperimentScheduled record(Schedule schedule, Instant nextRun) {
    return new ExperimentScheduled(
        schedule.title(),
        schedule.id(),
        schedule.spec(),
        nextRun,
        schedule.experiment(),
        schedule.options().toJson(),
        null);
  }

  /**
   * The schedule a record describes.
   *
   * @throws IllegalArgumentException when the record cannot be a schedule (every problem named)
   */
  public static Schedule schedule(ExperimentScheduled record) {
    List<String> problems = new ArrayList<>();
    ScheduleOptions options = ScheduleOptions.read(record.options(), problems);
    Trigger trigger = null;
    try {
      trigger = Trigger.parse(record.schedule());
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    if (record.experiment() == null || !record.experiment().isObject()) {
      problems.add("the record carries no experiment");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "schedule " + record.scheduleId() + ": " + String.join("; ", problems));
    }
    return new Schedule(
        record.scheduleId(),
        record.title(),
        record.schedule(),
        trigger,
        record.experiment(),
        options);
  }

  /** The control record of a firing of {@code schedule} due at {@code due}. */
  public static ExperimentScheduled firing(Schedule schedule, Instant due, String outcome) {
    return new ExperimentScheduled(
        schedule.title(),
        schedule.id(),
        schedule.spec(),
        null,
        null,
        null,
        null,
        due,
        null,
        outcome);
  }

  /**
   * A firing log on {@code valentia.control}: each firing is published and waited for (up to 10 s)
   * before the run starts. Blocks the ticking thread, never an event loop.
   */
  public static Scheduler.FiringLog firingLog(
      io.valentia.eventbus.EventPublisher publisher, String source) {
    return (schedule, due, outcome) -> {
      CloudEvent event =
          CloudEvent.of(firing(schedule, due, outcome))
              .source(source)
              .subject(key(schedule.id()))
              .build();
      try {
        publisher
            .publish(Topics.CONTROL, key(schedule.id()), event)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(
            "Kafka did not take it: " + (e.getCause() == null ? e : e.getCause()).toString(), e);
      }
    };
  }

  /** The schedule record in {@code event}, if it is one. */
  public static ExperimentScheduled of(CloudEvent event) {
    if (!EventType.CHAOS_EXPERIMENT_SCHEDULED.type().equals(event.type())) {
      return null;
    }
    return EventCodec.instance().payload(event, ExperimentScheduled.class);
  }

  /** Every current schedule on the control topic, by id, read from its beginning. */
  public static Map<String, ExperimentScheduled> readAll(KafkaSettings kafka) {
    Map<String, ExperimentScheduled> current = new LinkedHashMap<>();
    Map<String, Object> props = kafka.commonClientProperties("chaos-schedules");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(Topics.CONTROL, Duration.ofSeconds(10))
          .forEach(p -> partitions.add(new TopicPartition(Topics.CONTROL, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + Topics.CONTROL + " to its end in 30 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          apply(current, r.value());
        }
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
    return current;
  }

  static void apply(Map<String, ExperimentScheduled> current, byte[] value) {
    try {
      ExperimentScheduled record = of(EventCodec.instance().decode(value));
      if (record == null) {
        return;
      }
      if (record.isRemoval()) {
        current.remove(record.scheduleId());
      } else if (record.experiment() != null) {
        current.put(record.scheduleId(), record);
      }
    } catch (InvalidEventException e) {
      // not a Valentia event: the dead-letter gate reports it
    }
  }

  /**
   * Applies a control command to {@code scheduler}: a schedule record adds, replaces or removes its
   * schedule; anything else is ignored.
   *
   * @throws IllegalArgumentException when a schedule record cannot be a schedule
   */
  public static void applyTo(Scheduler scheduler, CloudEvent event) {
    ExperimentScheduled record = of(event);
    if (record == null) {
      return;
    }
    if (record.isFiring()) {
      scheduler.fired(record.scheduleId(), record.firedAt(), record.outcome(), record.runId());
    } else if (record.isRemoval()) {
      scheduler.remove(record.scheduleId());
    } else if (record.experiment() != null) {
      scheduler.put(schedule(record));
    }
  }
}
