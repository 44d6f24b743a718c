package io.valentia.chaos.schedule;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventPublisher;
import io.valentia.eventbus.Topics;
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
  private final EventPublisher publisher;
  private final String source;

  /**
   * @param source the CloudEvents source of the records, e.g. {@code /chaos/host-1}
   */
  public ScheduleChanges(ScheduleTable table, EventPublisher publisher, String source) {
    this.table = table;
    this.publisher = publisher;
    this.source = source;
  }

  /**
   * Adds, replaces or (for a record with {@code removed}) removes a schedule.
   *
   * @return completes once all three records are stored; fails when Kafka does not take one (the
   *     change is in effect once the first is stored)
   */
  public Future<Void> apply(ExperimentScheduled record) {
    String key = ScheduleRecords.key(record.scheduleId());
    return Future.fromCompletionStage(
            record.isRemoval() ? table.remove(record.scheduleId()) : table.put(record))
        .compose(
            v ->
                publisher.publish(
                    Topics.CONTROL, key, CloudEvent.of(record).source(source).subject(key).build()))
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
