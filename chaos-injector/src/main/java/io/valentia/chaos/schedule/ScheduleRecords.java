package io.valentia.chaos.schedule;

import io.valentia.eventbus.payload.ExperimentScheduled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Schedules as records: {@code chaos.experiment.scheduled} events keyed {@code schedule/ID} on
 * {@code valentia.control} (the command, kept as the audit of who changed what) and the same record
 * as the schedule's entry in {@code valentia.state.schedules} (what injectors read; see {@link
 * ScheduleTable}). A record with {@code removed} removes the schedule.
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
}
