package io.valentia.chaos.experiment;

import io.valentia.chaos.journal.ActivityRun;
import io.valentia.eventbus.payload.ExperimentDeviated;
import java.time.Duration;
import java.util.List;

/**
 * Re-checks the steady-state hypothesis at an interval while the method runs, on a thread of its
 * own; the first deviation is journaled, emitted, and aborts the run.
 */
final class DuringCheck {
  private final Hypothesis hypothesis;
  private final RunControl control;
  private final RunEventPublisher events;
  private final Duration interval;
  private final List<ActivityRun> during;
  private final Runnable onDeviation;
  private final Thread thread;
  private volatile boolean on = true;

  private DuringCheck(
      Hypothesis hypothesis,
      RunControl control,
      RunEventPublisher events,
      Duration interval,
      List<ActivityRun> during,
      Runnable onDeviation) {
    this.hypothesis = hypothesis;
    this.control = control;
    this.events = events;
    this.interval = interval;
    this.during = during;
    this.onDeviation = onDeviation;
    this.thread = new Thread(this::loop, "valentia-run-" + control.runId + "-steady-state");
    thread.setDaemon(true);
  }

  /**
   * Starts checking; null (nothing to check) when there is no hypothesis, it has no probes, or
   * {@code interval} is null or zero.
   *
   * @param during receives every check's journal entry (thread-safe list)
   * @param onDeviation called once, before the run is stopped, when a probe deviates
   */
  static DuringCheck start(
      Hypothesis hypothesis,
      RunControl control,
      RunEventPublisher events,
      Duration interval,
      List<ActivityRun> during,
      Runnable onDeviation) {
    if (!hypothesis.present()
        || hypothesis.probes().isEmpty()
        || interval == null
        || interval.isZero()) {
      return null;
    }
    DuringCheck check = new DuringCheck(hypothesis, control, events, interval, during, onDeviation);
    check.thread.start();
    return check;
  }

  private void loop() {
    while (on && !control.stopped()) {
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (!on) {
        return;
      }
      for (Activity probe : hypothesis.probes()) {
        ActivityRun run = hypothesis.checkProbe(probe, "steady-state-during");
        during.add(run);
        if (!Boolean.TRUE.equals(run.toleranceMet()) && on) {
          onDeviation.run();
          events.emit(
              new ExperimentDeviated(
                  control.runId, probe.name(), "during", Hypothesis.reasonOf(run)));
          control.stop(
              "aborted",
              "the steady state deviated during the method: "
                  + probe.name()
                  + ": "
                  + Hypothesis.reasonOf(run),
              "steady-state-hypothesis");
          return;
        }
      }
    }
  }

  /** Stops checking and waits (up to 10 s) for a check in progress to end. */
  void stop() {
    on = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
