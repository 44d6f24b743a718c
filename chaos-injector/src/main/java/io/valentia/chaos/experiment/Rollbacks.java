package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.faults.FaultInjector.ActiveFault;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.ExperimentRolledBack;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollbacks of one run (Chaos Toolkit's {@code rollback}), which always run, to their end:
 * first the faults the run injected and that are still active are reverted (journaled as a {@code
 * revert-faults} action), then the experiment's rollback activities, each one even when an earlier
 * one failed. Ends with a {@code chaos.experiment.rolled-back} event.
 */
final class Rollbacks {
  private final FaultInjector injector;
  private final Activities activities;
  private final RunEventPublisher events;
  private final Clock clock;

  Rollbacks(FaultInjector injector, Activities activities, RunEventPublisher events, Clock clock) {
    this.injector = injector;
    this.activities = activities;
    this.events = events;
    this.clock = clock;
  }

  /** Runs them; returns their journal entries. */
  List<ActivityRun> run(List<Activity> rollbacks) {
    String runId = events.runId();
    List<ActivityRun> journal = new ArrayList<>();
    Instant start = clock.instant();
    List<ActiveFault> left =
        injector.active().stream().filter(f -> f.runId().equals(runId)).toList();
    List<String> failures = new ArrayList<>(injector.revertRun(runId));
    if (!left.isEmpty()) {
      ObjectNode activity =
          EventCodec.MAPPER.createObjectNode().put("type", "action").put("name", "revert-faults");
      activity.putObject("provider").put("type", "valentia").put("revert", "faults of this run");
      ObjectNode output = EventCodec.MAPPER.createObjectNode();
      left.forEach(f -> output.withArray("reverted").add(f.fault() + " " + f.targets()));
      journal.add(
          new ActivityRun(
              activity,
              "rollback",
              failures.isEmpty() ? "succeeded" : "failed",
              output,
              failures.isEmpty() ? null : String.join("; ", failures),
              start,
              clock.instant(),
              null));
    }
    List<String> names = new ArrayList<>();
    for (Activity activity : rollbacks) {
      ActivityRun run = activities.execute(activity, "rollback", false);
      journal.add(run);
      names.add(activity.name());
      if (!run.succeeded()) {
        failures.add(activity.name() + ": " + run.exception());
      }
    }
    events.emit(new ExperimentRolledBack(runId, names, failures.isEmpty(), failures));
    return journal;
  }
}
