package io.valentia.eventbus.payload;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * An experiment was put on a schedule, or its schedule changed or was removed. On {@code
 * valentia.control} the latest record of a schedule id is its current state, so schedules survive
 * restarts.
 *
 * @param title the experiment's title
 * @param scheduleId the schedule entry
 * @param schedule the schedule as written (a cron expression or an interval)
 * @param nextRun the next run time; null when the schedule has no further runs
 * @param experiment the experiment document to run; null when not carried (e.g. on the timeline)
 * @param options how it is scheduled (time zone, jitter, blackout windows, concurrency and
 *     missed-run policies, history limit); null for the defaults
 * @param removed true when this record removes the schedule; null or false otherwise
 * @param firedAt set on a firing record: the scheduler that leads fired the firing due at this time
 *     (every other scheduler counts it as done); null on every other record
 * @param runId on a firing record, the run it started; null when none
 * @param outcome on a firing record, {@code started}, {@code skipped: ...} or {@code failed: ...}
 */
public record ExperimentScheduled(
    String title,
    String scheduleId,
    String schedule,
    Instant nextRun,
    JsonNode experiment,
    JsonNode options,
    Boolean removed,
    Instant firedAt,
    String runId,
    String outcome)
    implements EventPayload {

  /** A schedule record (added, changed or removed), not a firing. */
  public ExperimentScheduled(
      String title,
      String scheduleId,
      String schedule,
      Instant nextRun,
      JsonNode experiment,
      JsonNode options,
      Boolean removed) {
    this(title, scheduleId, schedule, nextRun, experiment, options, removed, null, null, null);
  }

  /** A schedule announcement without the experiment document or options. */
  public ExperimentScheduled(String title, String scheduleId, String schedule, Instant nextRun) {
    this(title, scheduleId, schedule, nextRun, null, null, null);
  }

  /** Whether this record removes the schedule. */
  @JsonIgnore
  public boolean isRemoval() {
    return Boolean.TRUE.equals(removed);
  }

  /** Whether this record reports a firing rather than the schedule itself. */
  @JsonIgnore
  public boolean isFiring() {
    return firedAt != null;
  }

  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_SCHEDULED;
  }
}
