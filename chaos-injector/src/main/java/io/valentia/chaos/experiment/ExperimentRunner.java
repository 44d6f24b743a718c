package io.valentia.chaos.experiment;

import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.eventbus.EventIds;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs experiments the way Chaos Toolkit does: the steady-state hypothesis before, the method (with
 * pauses and background activities, the hypothesis checked again at an interval while it runs), the
 * hypothesis after, then the rollbacks, which always run, also after a failure, a deviation, an
 * abort or a halt. Faults a run injected and that are still active are reverted before its
 * rollbacks. Every step is journaled and emitted as a {@code chaos.experiment.*} event.
 *
 * <p>The method lasts until every fault it injected has reached its duration: when its activities
 * end first, the run waits for the faults (still checking the steady state at its interval); a
 * halt, an abort or a deviation ends the wait at once. A method activity that fails (a fault the
 * allow-list refuses, a process that exits non-zero, an HTTP call that fails) fails the run: the
 * rest of the method is skipped, the hypothesis is checked after, the rollbacks run, and the run
 * ends {@code failed}, naming the activity; unless the activity says {@code "tolerate_failure":
 * true}, which only journals the failure.
 *
 * <p>This class keeps the runs in progress and starts them; one run's flow is {@link Run}, its
 * parts {@link Hypothesis}, {@link Activities} (with {@link HttpProvider} and {@link
 * ProcessProvider}), {@link DuringCheck}, {@link FaultWait} and {@link Rollbacks}.
 *
 * <p>{@link #run} blocks the calling thread for the whole run: call it from a worker, never from an
 * event loop. Thread-safe: several runs may go on at once.
 */
public final class ExperimentRunner {
  /** The name of the method's journal entry that waits for the run's faults to end. */
  public static final String WAIT_FOR_FAULTS = "wait-for-faults";

  private final FaultInjector injector;
  private final EventProbes eventProbes;
  private final RunEvents events;
  private final Clock clock;
  private final String source;
  private final HttpProvider http;
  private final ProcessProvider process;
  private final RunRegistry registry = new RunRegistry();

  public ExperimentRunner(
      FaultInjector injector,
      EventProbes eventProbes,
      RunEvents events,
      Clock clock,
      String source) {
    this.injector = injector;
    this.eventProbes = eventProbes;
    this.events = events;
    this.clock = clock;
    this.source = source;
    Supplier<ProviderPolicy> providers = () -> injector.policy().providers();
    this.http = new HttpProvider(providers);
    this.process = new ProcessProvider(providers, new ProcessLauncher(providers.get()));
  }

  /**
   * How to run.
   *
   * @param runId the run's id; null for a new one
   * @param duringInterval how often the hypothesis is checked during the method; zero for never
   * @param by who started the run (the actor of its audit events)
   * @param role the role of {@code by}
   */
  public record RunOptions(String runId, Duration duringInterval, String by, String role) {
    /** Options of a run started by this injector's own user. */
    public RunOptions(String runId, Duration duringInterval) {
      this(runId, duringInterval, System.getProperty("user.name", "chaos"), "chaos");
    }

    public static RunOptions defaults() {
      return new RunOptions(null, Duration.ofSeconds(5));
    }
  }

  /**
   * Stops every run in progress: they skip what is left of their method and run their rollbacks.
   *
   * @param status {@code interrupted} (halt, shutdown) or {@code aborted}
   * @return how many runs were stopped
   */
  public int stopAll(String status, String reason, String by) {
    return stopAll(status, reason, by, () -> {});
  }

  /**
   * Stops every run in progress, running {@code meanwhile} after the runs are marked stopped and
   * before they are interrupted: a run that wakes up during {@code meanwhile} (its faults reverted
   * by a halt) already sees that it was stopped.
   *
   * @return how many runs were stopped
   */
  public int stopAll(String status, String reason, String by, Runnable meanwhile) {
    return registry.stopAll(status, reason, by, meanwhile);
  }

  /**
   * Stops one run in progress.
   *
   * @return false when no such run is in progress
   */
  public boolean stop(String runId, String status, String reason, String by) {
    return registry.stop(runId, status, reason, by);
  }

  /** The ids of the runs in progress. */
  public List<String> runningIds() {
    return registry.runningIds();
  }

  /**
   * Runs {@code experiment} to its end and returns its journal.
   *
   * @throws FaultException.Refused when the injector is halted (nothing runs)
   */
  public Journal run(Experiment experiment, RunOptions options) {
    String refusal = injector.refusal();
    if (refusal != null) {
      throw new FaultException.Refused("no new runs: " + refusal);
    }
    String runId = options.runId() != null ? options.runId() : EventIds.next();
    RunControl control = registry.register(runId);
    try {
      RunEventPublisher publisher =
          new RunEventPublisher(events, source, runId, experiment, options);
      Activities activities =
          new Activities(injector, eventProbes, http, process, publisher, control, clock);
      return new Run(experiment, options, control, injector, clock, publisher, activities)
          .execute();
    } finally {
      registry.unregister(control);
      Thread.interrupted(); // a stop must not leak into the caller
    }
  }
}
