package io.valentia.chaos.experiment;

import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.chaos.journal.Journal;
import io.valentia.eventbus.payload.ExperimentAborted;
import io.valentia.eventbus.payload.ExperimentCompleted;
import io.valentia.eventbus.payload.ExperimentStarted;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an experiment, in Chaos Toolkit's order (its {@code run}): the hypothesis before, the
 * method (background activities beside the others, the hypothesis checked at an interval, then the
 * wait for the faults' durations), the hypothesis after, the rollbacks, and the journal with the
 * run's outcome. A method activity that fails and does not tolerate it fails the run. Used once,
 * from the thread that runs it.
 */
final class Run {
  private static final Logger LOG = LoggerFactory.getLogger(Run.class);

  private final Experiment experiment;
  private final ExperimentRunner.RunOptions options;
  private final RunControl control;
  private final String runId;
  private final FaultInjector injector;
  private final Clock clock;
  private final RunEventPublisher events;
  private final Activities activities;
  private final Hypothesis hypothesis;
  private final FaultWait faultWait;
  private final Rollbacks rollbacks;

  private final List<ActivityRun> method = Collections.synchronizedList(new ArrayList<>());
  private final List<ActivityRun> during = Collections.synchronizedList(new ArrayList<>());
  private List<ActivityRun> rolledBack = List.of();
  private List<ActivityRun> before;
  private List<ActivityRun> after;
  private volatile boolean deviated;
  private volatile String failure;
  private volatile Journal.Failure failedActivity;

  Run(
      Experiment experiment,
      ExperimentRunner.RunOptions options,
      RunControl control,
      FaultInjector injector,
      Clock clock,
      RunEventPublisher events,
      Activities activities) {
    this.experiment = experiment;
    this.options = options;
    this.control = control;
    this.runId = control.runId;
    this.injector = injector;
    this.clock = clock;
    this.events = events;
    this.activities = activities;
    this.hypothesis = new Hypothesis(experiment, activities, events, injector.catalog());
    this.faultWait = new FaultWait(injector, control, events, clock);
    this.rollbacks = new Rollbacks(injector, activities, events, clock);
  }

  Journal execute() {
    Instant start = clock.instant();
    events.emit(new ExperimentStarted(runId, experiment.title(), false, targets()));
    LOG.info("run {} of '{}' started", runId, experiment.title());
    boolean proceed = true;
    if (hypothesis.present()) {
      before = hypothesis.check("steady-state-before");
      if (!Hypothesis.met(before)) {
        proceed = false;
        failure = "the steady state did not hold before the method";
        before.stream()
            .filter(r -> !Boolean.TRUE.equals(r.toleranceMet()))
            .findFirst()
            .ifPresent(
                r ->
                    failedActivity =
                        new Journal.Failure(
                            "steady-state-before",
                            r.activity().path("name").asText(),
                            r.activity().path("type").asText(),
                            Hypothesis.reasonOf(r)));
      }
    }
    if (proceed && !control.stopped()) {
      runMethod();
    }
    if (proceed && !control.stopped() && hypothesis.present()) {
      after = hypothesis.check("steady-state-after");
      if (!Hypothesis.met(after)) {
        deviated = true;
      }
    }
    control.enterRollbacks();
    Thread.interrupted();
    rolledBack = rollbacks.run(experiment.rollbacks());
    return end(start);
  }

  private Journal end(Instant start) {
    String status;
    String reason = null;
    Journal.Failure failed = null;
    if (control.stopped()) {
      status = control.status();
      reason = control.reason();
      events.emit(new ExperimentAborted(runId, control.reason(), control.by()));
    } else if (failure != null) {
      status = "failed";
      reason = failure;
      failed = failedActivity;
    } else {
      status = "completed";
    }
    Instant end = clock.instant();
    Journal journal =
        new Journal(
            runId,
            experiment.shownDocument(),
            start,
            end,
            status,
            deviated,
            reason,
            before,
            List.copyOf(during),
            after,
            List.copyOf(method),
            List.copyOf(rolledBack),
            failed);
    events.emit(
        new ExperimentCompleted(
            runId,
            status,
            deviated,
            Durations.seconds(journal.duration()),
            reason,
            failed == null ? null : failed.phase(),
            failed == null ? null : failed.name()));
    LOG.info(
        "run {} ended: {}{}{}",
        runId,
        status,
        deviated ? " (deviated)" : "",
        reason == null ? "" : ": " + events.hide(reason));
    return journal;
  }

  /** What the method's faults touch, as far as their arguments say before they run. */
  private List<String> targets() {
    Set<String> out = new LinkedHashSet<>();
    for (Activity a : experiment.activities()) {
      if (a.provider() instanceof Provider.Fault f) {
        injector
            .catalog()
            .find(f.fault())
            .ifPresent(
                fault -> {
                  try {
                    fault.targets(Arguments.of(f.arguments())).forEach(t -> out.add(t.toString()));
                  } catch (RuntimeException e) {
                    // the run reports it when the fault is injected
                  }
                });
      }
    }
    return List.copyOf(out);
  }

  private void runMethod() {
    ExecutorService background =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "valentia-run-" + runId + "-background");
              t.setDaemon(true);
              return t;
            });
    List<CompletableFuture<?>> pending = new ArrayList<>();
    DuringCheck check =
        DuringCheck.start(
            hypothesis, control, events, options.duringInterval(), during, () -> deviated = true);
    try {
      for (Activity activity : experiment.method()) {
        if (control.stopped() || failure != null) {
          break;
        }
        if (activity.background()) {
          pending.add(
              CompletableFuture.runAsync(
                  () -> ran(activity, activities.execute(activity, "method", true)), background));
        } else {
          ran(activity, activities.execute(activity, "method", true));
        }
      }
      for (CompletableFuture<?> f : pending) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (ExecutionException e) {
          LOG.warn("background activity of run {} failed: {}", runId, e.getCause().toString());
        }
      }
      if (!control.stopped() && failure == null) {
        ActivityRun wait = faultWait.await();
        if (wait != null) {
          method.add(wait);
        }
      }
    } finally {
      if (check != null) {
        check.stop();
      }
      background.shutdownNow();
    }
  }

  /** Journals a method activity; one that failed and does not tolerate it fails the run. */
  private void ran(Activity activity, ActivityRun run) {
    method.add(run);
    if (run.succeeded() || control.stopped()) {
      return;
    }
    if (activity.toleratesFailure()) {
      LOG.info(
          "run {}: {} {} failed and tolerates it: the run goes on",
          runId,
          activity.type(),
          activity.name());
      return;
    }
    synchronized (this) {
      if (failure == null) {
        failure =
            "method " + activity.type() + " " + activity.name() + " failed: " + run.exception();
        failedActivity =
            new Journal.Failure("method", activity.name(), activity.type(), run.exception());
      }
    }
  }
}
