package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * A run was stopped before its end (by a person, a halt-all or a safety rule).
 *
 * @param runId the run
 * @param reason why
 * @param by who or what stopped it
 */
public record ExperimentAborted(String runId, String reason, String by) implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_ABORTED;
  }
}
