package io.valentia.chaos.schedule;

import io.valentia.chaos.safety.ControlSeal;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.vertx.core.Future;

/**
 * A schedule change as the API and the CLI make it: first the schedule's entry in {@code
 * valentia.state.schedules} (what every injector reads, now and at its next start), then the
 * command on {@code valentia.control} (the audit of who changed what) and an announcement on {@code
 * valentia.events} (the timeline, without the experiment document).
 */
public final class ScheduleChanges {
  private final ScheduleTable table;
  private final KafkaEventPublisher publisher;
  private final ControlSeal seal;
  private final String source;

  /**
   * @param seal seals the command on valentia.control as sent by whoever asked
   * @param source the CloudEvents source of the records, e.g. {@code /chaos/host-1}
   */
  public ScheduleChanges(
      ScheduleTable table, KafkaEventPublisher publisher, ControlSeal seal, String source) {
    this.table = table;
    this.publisher = publisher;
    this.seal = seal;
    this.source = source;
  }

  /**
   * Adds, replaces or (for a record with {@code removed}) removes a schedule, as asked by {@code
   * by}.
   *
   * @return completes once all three records are stored; fails when Kafka does not take one (the
   *     change is in effect once the first is stored)
   */
  public Future<Void> apply(ExperimentScheduled record, ControlSeal.Sender by) {
    String key = ScheduleRecords.key(record.scheduleId());
    return Future.fromCompletionStage(
            record.isRemoval() ? table.remove(record.scheduleId()) : table.put(record, by))
        .compose(
            v ->
                publisher.send(
                    seal.record(
                        Topics.CONTROL,
                        key,
                        CloudEvent.of(record).source(source).subject(key).build(),
                        by)))
        .compose(p -> publisher.publish(announcement(record, key)))
        .mapEmpty();
  }

  private CloudEvent announcement(ExperimentScheduled record, String key) {
    ExperimentScheduled announcement =
        new ExperimentScheduled(
            record.title(),
            record.scheduleId(),
            record.schedule(),
            record.nextRun(),
            null,
            record.options(),
            record.removed());
    return CloudEvent.of(announcement).source(source).subject(key).build();
  }
}
