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
 * @param reason why the run failed, was aborted or interrupted; null when it completed
 * @param failedPhase the phase of the activity whose failure failed the run ({@code method}, {@code
 *     steady-state-before}); null when no activity failed it
 * @param failedActivity the name of that activity; null when no activity failed the run
 */
public record ExperimentCompleted(
    String runId,
    String status,
    boolean deviated,
    double durationSeconds,
    String reason,
    String failedPhase,
    String failedActivity)
    implements EventPayload {

  /** A run that no activity failed, without a reason. */
  public ExperimentCompleted(
      String runId, String status, boolean deviated, double durationSeconds) {
    this(runId, status, deviated, durationSeconds, null, null, null);
  }

  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_COMPLETED;
  }
}
