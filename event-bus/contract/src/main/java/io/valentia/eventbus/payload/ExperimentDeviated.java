package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * The steady-state hypothesis did not hold.
 *
 * @param runId the run
 * @param probe the probe whose tolerance was not met
 * @param phase when it was checked: {@code before}, {@code during} or {@code after}
 * @param reason what was expected and what was found
 */
public record ExperimentDeviated(String runId, String probe, String phase, String reason)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_DEVIATED;
  }
}
