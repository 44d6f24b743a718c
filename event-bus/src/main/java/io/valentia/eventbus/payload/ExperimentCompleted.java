package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * A run ended.
 *
 * @param runId the run
 * @param status the journal status: {@code completed}, {@code failed}, {@code aborted} or {@code
 *     interrupted}
 * @param deviated whether the steady state deviated
 * @param durationSeconds how long the run took
 */
public record ExperimentCompleted(
    String runId, String status, boolean deviated, double durationSeconds) implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_COMPLETED;
  }
}
