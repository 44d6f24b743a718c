package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.faults.FaultInjector.ActiveFault;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.ExperimentStep;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a run's method going until every fault it injected has reached its duration (and been
 * reverted), so that a fault lasts as long as the experiment says even when the method's activities
 * end first. A stop (halt, abort, a deviation during the method) ends the wait at once. Journaled
 * as a {@value ExperimentRunner#WAIT_FOR_FAULTS} action of the method.
 */
final class FaultWait {
  private static final Logger LOG = LoggerFactory.getLogger(FaultWait.class);
  private static final String NAME = ExperimentRunner.WAIT_FOR_FAULTS;

  private final FaultInjector injector;
  private final RunControl control;
  private final RunEventPublisher events;
  private final Clock clock;

  FaultWait(FaultInjector injector, RunControl control, RunEventPublisher events, Clock clock) {
    this.injector = injector;
    this.control = control;
    this.events = events;
    this.clock = clock;
  }

  /** Waits; the journal entry of the wait, or null when no fault of the run has a duration. */
  ActivityRun await() {
    String runId = control.runId;
    List<ActiveFault> faults =
        injector.active().stream()
            .filter(f -> f.runId().equals(runId) && f.until() != null)
            .toList();
    if (faults.isEmpty()) {
      return null;
    }
    ObjectNode shown = EventCodec.MAPPER.createObjectNode().put("type", "action").put("name", NAME);
    shown
        .putObject("provider")
        .put("type", "valentia")
        .put("wait", "until the faults of this run reach their duration");
    ObjectNode output = EventCodec.MAPPER.createObjectNode();
    faults.forEach(
        f ->
            output
                .withArray("faults")
                .addObject()
                .put("fault", f.fault())
                .put("id", f.id())
                .put("targets", f.targets().toString())
                .put("until", f.until().toString()));
    Instant start = clock.instant();
    events.emit(
        new ExperimentStep(runId, "method", NAME, "action", "running", start, null, null, null));
    LOG.info(
        "run {}: the method waits for {} fault(s) to reach their duration (the last at {})",
        runId,
        faults.size(),
        faults.stream().map(ActiveFault::until).max(Instant::compareTo).orElseThrow());
    String error = null;
    try {
      injector.awaitReverted(runId);
    } catch (InterruptedException e) {
      // stopped: the rollbacks revert what is left
    }
    if (control.stopped()) {
      error = "the run was stopped: " + control.reason();
    }
    Instant end = clock.instant();
    String status = error == null ? "succeeded" : "failed";
    events.emit(
        new ExperimentStep(runId, "method", NAME, "action", status, start, end, output, error));
    return new ActivityRun(shown, "method", status, output, error, start, end, null);
  }
}
