package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.List;

/**
 * The rollbacks of a run (and the automatic reverts of its faults) ran.
 *
 * @param runId the run
 * @param rollbacks the rollback activities that ran, in order
 * @param succeeded whether every one of them succeeded
 * @param failures what failed; empty when none
 */
public record ExperimentRolledBack(
    String runId, List<String> rollbacks, boolean succeeded, List<String> failures)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_ROLLEDBACK;
  }
}
