package io.valentia.eventbus.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * One activity of a run, started or finished.
 *
 * @param runId the run
 * @param phase {@code steady-state-before}, {@code method}, {@code steady-state-after}, {@code
 *     steady-state-during} or {@code rollback}
 * @param activity the activity's name
 * @param activityType {@code action} or {@code probe}
 * @param status {@code running}, {@code succeeded} or {@code failed}
 * @param start when the activity started
 * @param end when it ended; null while running
 * @param output what the activity returned; null when nothing
 * @param error the failure; null unless {@code failed}
 */
public record ExperimentStep(
    String runId,
    String phase,
    String activity,
    String activityType,
    String status,
    Instant start,
    Instant end,
    JsonNode output,
    String error)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_STEP;
  }
}
