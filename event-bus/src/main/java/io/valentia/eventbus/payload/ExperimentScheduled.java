package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * An experiment was put on a schedule, or its schedule changed.
 *
 * @param title the experiment's title
 * @param scheduleId the schedule entry
 * @param schedule the schedule as written (a cron expression or an interval)
 * @param nextRun the next run time; null when the schedule has no further runs
 */
public record ExperimentScheduled(String title, String scheduleId, String schedule, Instant nextRun)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_SCHEDULED;
  }
}
