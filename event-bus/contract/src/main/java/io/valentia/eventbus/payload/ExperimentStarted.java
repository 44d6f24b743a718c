package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.List;

/**
 * A run of an experiment started.
 *
 * @param runId the run
 * @param title the experiment's title
 * @param dryRun whether this run only shows its plan
 * @param targets the targets the run may touch (hosts, pids, interfaces)
 */
public record ExperimentStarted(String runId, String title, boolean dryRun, List<String> targets)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_EXPERIMENT_STARTED;
  }
}
