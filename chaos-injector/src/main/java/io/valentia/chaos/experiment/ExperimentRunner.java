package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.faults.FaultInjector.ActiveFault;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.ExperimentAborted;
import io.valentia.eventbus.payload.ExperimentCompleted;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.ExperimentRolledBack;
import io.valentia.eventbus.payload.ExperimentStarted;
import io.valentia.eventbus.payload.ExperimentStep;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>{@link #run} blocks the calling thread for the whole run: call it from a worker, never from an
 * event loop. Thread-safe: several runs may go on at once.
 */
public final class ExperimentRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ExperimentRunner.class);

  private final FaultInjector injector;
  private final EventProbes eventProbes;
  private final RunEvents events;
  private final Clock clock;
  private final String source;
  private static final int MAX_REDIRECTS = 5;

  /** Redirects are followed by hand, each one checked against the allow-list. */
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final ProcessLauncher launcher;
  private final Set<RunControl> running = ConcurrentHashMap.newKeySet();

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
    this.launcher = new ProcessLauncher(injector.policy().providers());
  }

  private ProviderPolicy providers() {
    return injector.policy().providers();
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
    List<RunControl> stopped = new ArrayList<>();
    for (RunControl control : running) {
      if (control.mark(status, reason, by)) {
        stopped.add(control);
      }
    }
    try {
      meanwhile.run();
    } finally {
      stopped.forEach(RunControl::interrupt);
    }
    return stopped.size();
  }

  /**
   * Stops one run in progress.
   *
   * @return false when no such run is in progress
   */
  public boolean stop(String runId, String status, String reason, String by) {
    for (RunControl control : running) {
      if (control.runId.equals(runId)) {
        return control.stop(status, reason, by);
      }
    }
    return false;
  }

  /** The ids of the runs in progress. */
  public List<String> runningIds() {
    return running.stream().map(c -> c.runId).toList();
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
    RunControl control = new RunControl(runId, Thread.currentThread());
    running.add(control);
    try {
      return new Run(experiment, options, control).execute();
    } finally {
      running.remove(control);
      Thread.interrupted(); // a stop must not leak into the caller
    }
  }

  /** The stop state of one run. */
  private static final class RunControl {
    final String runId;
    final Thread thread;
    volatile String status;
    volatile String reason;
    volatile String by;
    volatile boolean inRollbacks;

    RunControl(String runId, Thread thread) {
      this.runId = runId;
      this.thread = thread;
    }

    synchronized boolean stop(String status, String reason, String by) {
      if (!mark(status, reason, by)) {
        return false;
      }
      interrupt();
      return true;
    }

    /** Records the stop without waking the run; false when it was stopped already. */
    synchronized boolean mark(String status, String reason, String by) {
      if (this.status != null) {
        return false;
      }
      this.status = status;
      this.reason = reason;
      this.by = by;
      return true;
    }

    /** Wakes the run from what it waits for, unless it is in its rollbacks. */
    synchronized void interrupt() {
      if (!inRollbacks) {
        thread.interrupt();
      }
    }

    boolean stopped() {
      return status != null;
    }
  }

  /** One run. */
  private final class Run {
    final Experiment experiment;
    final RunOptions options;
    final RunControl control;
    final String runId;
    final List<ActivityRun> method = Collections.synchronizedList(new ArrayList<>());
    final List<ActivityRun> during = Collections.synchronizedList(new ArrayList<>());
    final List<ActivityRun> rollbacks = new ArrayList<>();
    List<ActivityRun> before;
    List<ActivityRun> after;
    volatile boolean deviated;
    volatile String failure;
    volatile Journal.Failure failedActivity;

    Run(Experiment experiment, RunOptions options, RunControl control) {
      this.experiment = experiment;
      this.options = options;
      this.control = control;
      this.runId = control.runId;
    }

    Journal execute() {
      Instant start = clock.instant();
      emit(new ExperimentStarted(runId, experiment.title(), false, targets()), experiment.title());
      LOG.info("run {} of '{}' started", runId, experiment.title());
      boolean proceed = true;
      if (experiment.hypothesis() != null) {
        before = hypothesis("steady-state-before");
        if (!met(before)) {
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
                              reasonOf(r)));
        }
      }
      if (proceed && !control.stopped()) {
        runMethod();
      }
      if (proceed && !control.stopped() && experiment.hypothesis() != null) {
        after = hypothesis("steady-state-after");
        if (!met(after)) {
          deviated = true;
        }
      }
      synchronized (control) {
        control.inRollbacks = true;
      }
      Thread.interrupted();
      runRollbacks();
      String status;
      String reason = null;
      Journal.Failure failed = null;
      if (control.stopped()) {
        status = control.status;
        reason = control.reason;
        emit(new ExperimentAborted(runId, control.reason, control.by), null);
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
              List.copyOf(rollbacks),
              failed);
      emit(
          new ExperimentCompleted(
              runId,
              status,
              deviated,
              Durations.seconds(journal.duration()),
              reason,
              failed == null ? null : failed.phase(),
              failed == null ? null : failed.name()),
          null);
      LOG.info(
          "run {} ended: {}{}{}",
          runId,
          status,
          deviated ? " (deviated)" : "",
          reason == null ? "" : ": " + hide(reason));
      return journal;
    }

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
                      fault
                          .targets(Arguments.of(f.arguments()))
                          .forEach(t -> out.add(t.toString()));
                    } catch (RuntimeException e) {
                      // the run reports it when the fault is injected
                    }
                  });
        }
      }
      return List.copyOf(out);
    }

    private List<ActivityRun> hypothesis(String phase) {
      List<ActivityRun> runs = new ArrayList<>();
      for (Activity probe : experiment.hypothesis().probes()) {
        ActivityRun run = checkProbe(probe, phase);
        runs.add(run);
        if (!Boolean.TRUE.equals(run.toleranceMet())) {
          emit(
              new ExperimentDeviated(
                  runId, probe.name(), phase.replace("steady-state-", ""), reasonOf(run)),
              probe.name());
        }
      }
      return runs;
    }

    private String reasonOf(ActivityRun run) {
      return run.exception() != null ? run.exception() : "tolerance not met";
    }

    private ActivityRun checkProbe(Activity probe, String phase) {
      ActivityRun run = execute(probe, phase, false);
      if (!run.succeeded()) {
        return run.withToleranceMet(false);
      }
      Tolerances.Verdict verdict =
          Tolerances.check(
              probe.tolerance(),
              run.output() == null ? EventCodec.MAPPER.nullNode() : run.output(),
              this::toleranceProbe);
      ActivityRun judged =
          new ActivityRun(
              run.activity(),
              run.phase(),
              run.status(),
              run.output(),
              verdict.met() ? null : hide(verdict.reason()),
              run.start(),
              run.end(),
              verdict.met());
      return judged;
    }

    private Tolerances.Verdict toleranceProbe(JsonNode tolerance, JsonNode value) {
      Activity probe =
          new Activity(
              tolerance.path("name").asText("tolerance"),
              "probe",
              toleranceProvider(tolerance.path("provider"), value),
              Duration.ZERO,
              Duration.ZERO,
              false,
              null,
              List.of(),
              "tolerance",
              false);
      try {
        JsonNode output = invoke(probe, value);
        boolean met =
            !(output.isBoolean() && !output.asBoolean())
                && !(output.isObject()
                    && output.path("status").isInt()
                    && output.path("status").asInt() != 0
                    && output.has("stdout"));
        return new Tolerances.Verdict(
            met, met ? null : "tolerance probe said no: " + Tolerances.brief(output));
      } catch (RuntimeException e) {
        return new Tolerances.Verdict(false, "tolerance probe failed: " + e.getMessage());
      }
    }

    private Provider toleranceProvider(JsonNode node, JsonNode value) {
      ExperimentLoader.Loaded loaded =
          new ExperimentLoader(injector.catalog())
              .check(
                  EventCodec.MAPPER
                      .createObjectNode()
                      .put("title", "tolerance")
                      .set(
                          "method",
                          EventCodec.MAPPER
                              .createArrayNode()
                              .add(
                                  EventCodec.MAPPER
                                      .createObjectNode()
                                      .put("type", "probe")
                                      .put("name", "tolerance")
                                      .set("provider", node))));
      if (!loaded.valid()) {
        throw new ActivityFailedException("tolerance probe: " + loaded.problems());
      }
      return loaded.experiment().method().get(0).provider();
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
      DuringCheck check = startDuringCheck();
      try {
        for (Activity activity : experiment.method()) {
          if (control.stopped() || failure != null) {
            break;
          }
          if (activity.background()) {
            pending.add(
                CompletableFuture.runAsync(
                    () -> ran(activity, execute(activity, "method", true)), background));
          } else {
            ran(activity, execute(activity, "method", true));
          }
        }
        for (CompletableFuture<?> f : pending) {
          try {
            f.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("background activity of run {} failed: {}", runId, e.getCause().toString());
          }
        }
        if (!control.stopped() && failure == null) {
          awaitFaults();
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

    /**
     * Keeps the method going until every fault the run injected has reached its duration (and been
     * reverted), so that a fault lasts as long as the experiment says even when the method's
     * activities end first. A stop (halt, abort, a deviation during the method) ends the wait at
     * once. Journaled as a {@code wait-for-faults} activity of the method.
     */
    private void awaitFaults() {
      List<ActiveFault> faults =
          injector.active().stream()
              .filter(f -> f.runId().equals(runId) && f.until() != null)
              .toList();
      if (faults.isEmpty()) {
        return;
      }
      ObjectNode shown =
          EventCodec.MAPPER.createObjectNode().put("type", "action").put("name", WAIT_FOR_FAULTS);
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
      emit(
          new ExperimentStep(
              runId, "method", WAIT_FOR_FAULTS, "action", "running", start, null, null, null),
          WAIT_FOR_FAULTS);
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
        error = "the run was stopped: " + control.reason;
      }
      Instant end = clock.instant();
      String status = error == null ? "succeeded" : "failed";
      emit(
          new ExperimentStep(
              runId, "method", WAIT_FOR_FAULTS, "action", status, start, end, output, error),
          WAIT_FOR_FAULTS);
      method.add(new ActivityRun(shown, "method", status, output, error, start, end, null));
    }

    private DuringCheck startDuringCheck() {
      if (experiment.hypothesis() == null
          || experiment.hypothesis().probes().isEmpty()
          || options.duringInterval() == null
          || options.duringInterval().isZero()) {
        return null;
      }
      DuringCheck check = new DuringCheck();
      check.thread.start();
      return check;
    }

    /** Re-checks the hypothesis while the method runs; a deviation aborts the run. */
    private final class DuringCheck {
      final Thread thread = new Thread(this::loop, "valentia-run-" + runId + "-steady-state");
      volatile boolean on = true;

      DuringCheck() {
        thread.setDaemon(true);
      }

      void loop() {
        while (on && !control.stopped()) {
          try {
            Thread.sleep(options.duringInterval().toMillis());
          } catch (InterruptedException e) {
            return;
          }
          if (!on) {
            return;
          }
          for (Activity probe : experiment.hypothesis().probes()) {
            ActivityRun run = checkProbe(probe, "steady-state-during");
            during.add(run);
            if (!Boolean.TRUE.equals(run.toleranceMet()) && on) {
              deviated = true;
              emit(
                  new ExperimentDeviated(runId, probe.name(), "during", reasonOf(run)),
                  probe.name());
              control.stop(
                  "aborted",
                  "the steady state deviated during the method: "
                      + probe.name()
                      + ": "
                      + reasonOf(run),
                  "steady-state-hypothesis");
              return;
            }
          }
        }
      }

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

    private void runRollbacks() {
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
        rollbacks.add(
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
      for (Activity activity : experiment.rollbacks()) {
        ActivityRun run = execute(activity, "rollback", false);
        rollbacks.add(run);
        names.add(activity.name());
        if (!run.succeeded()) {
          failures.add(activity.name() + ": " + run.exception());
        }
      }
      emit(new ExperimentRolledBack(runId, names, failures.isEmpty(), failures), null);
    }

    /** Runs one activity with its pauses; never throws. */
    private ActivityRun execute(Activity activity, String phase, boolean interruptible) {
      JsonNode shown = hide(describe(activity));
      if (interruptible && !pause(activity.pauseBefore())) {
        Instant now = clock.instant();
        return new ActivityRun(
            shown, phase, "failed", null, "the run was stopped: " + control.reason, now, now, null);
      }
      Instant start = clock.instant();
      emit(
          new ExperimentStep(
              runId, phase, activity.name(), activity.type(), "running", start, null, null, null),
          activity.name());
      JsonNode output = null;
      String error = null;
      try {
        output = hide(invoke(activity, null));
      } catch (RuntimeException e) {
        error = hide(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      Instant end = clock.instant();
      String status = error == null ? "succeeded" : "failed";
      emit(
          new ExperimentStep(
              runId, phase, activity.name(), activity.type(), status, start, end, output, error),
          activity.name());
      if (error != null) {
        LOG.info("run {}: {} {} failed: {}", runId, phase, activity.name(), error);
      }
      if (interruptible) {
        pause(activity.pauseAfter());
      } else if (!activity.pauseAfter().isZero() && phase.equals("rollback")) {
        sleepUninterrupted(activity.pauseAfter());
      }
      return new ActivityRun(shown, phase, status, output, error, start, end, null);
    }

    private boolean pause(Duration duration) {
      if (duration.isZero()) {
        return !control.stopped();
      }
      try {
        Thread.sleep(duration.toMillis());
        return !control.stopped();
      } catch (InterruptedException e) {
        return false;
      }
    }

    private void sleepUninterrupted(Duration duration) {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private JsonNode invoke(Activity activity, JsonNode toleranceValue) {
      Provider provider = activity.provider();
      if (provider instanceof Provider.Http h) {
        return http(h, toleranceValue, activity);
      }
      if (provider instanceof Provider.Process p) {
        return process(p, toleranceValue, activity);
      }
      if (provider instanceof Provider.Fault f) {
        try {
          ActiveFault fault = injector.inject(runId, f.fault(), f.arguments());
          ObjectNode out =
              EventCodec.MAPPER
                  .createObjectNode()
                  .put("fault", fault.fault())
                  .put("id", fault.id());
          fault.targets().forEach(t -> out.withArray("targets").add(t.toString()));
          if (fault.until() != null) {
            out.put("until", fault.until().toString());
          }
          return out;
        } catch (FaultException e) {
          throw new ActivityFailedException(e.getMessage());
        }
      }
      if (provider instanceof Provider.EventProbe p) {
        return eventProbes.run(p.probe(), p.arguments());
      }
      throw new ActivityFailedException("the " + provider.type() + " provider is not supported");
    }

    private JsonNode http(Provider.Http h, JsonNode toleranceValue, Activity activity) {
      ProviderAllowList allowList = providers().allowList();
      String refusal = allowList.urlRefusal(h.url());
      if (refusal != null) {
        auditRefusal("experiment.http", h.url(), activity.name(), refusal);
        throw new ActivityFailedException(refusal);
      }
      Duration timeout = h.timeout() != null ? h.timeout() : providers().timeout();
      long deadline = System.nanoTime() + timeout.toNanos();
      String url = h.url();
      HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
      boolean query = List.of("GET", "HEAD", "DELETE").contains(h.method());
      JsonNode arguments = h.arguments();
      if (toleranceValue != null) {
        ObjectNode withValue =
            arguments instanceof ObjectNode o ? o.deepCopy() : EventCodec.MAPPER.createObjectNode();
        withValue.set("value", toleranceValue);
        arguments = withValue;
      }
      if (arguments != null && arguments.isObject() && query) {
        StringBuilder q = new StringBuilder();
        arguments
            .fields()
            .forEachRemaining(
                e ->
                    q.append(q.length() == 0 ? "" : "&")
                        .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                        .append('=')
                        .append(
                            URLEncoder.encode(
                                e.getValue().isValueNode()
                                    ? e.getValue().asText()
                                    : e.getValue().toString(),
                                StandardCharsets.UTF_8)));
        if (q.length() > 0) {
          url += (url.contains("?") ? "&" : "?") + q;
        }
      } else if (arguments != null && !query) {
        body = HttpRequest.BodyPublishers.ofString(arguments.toString());
      }
      String method = h.method();
      URI target = URI.create(url);
      HttpResponse<String> response;
      for (int hops = 0; ; hops++) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (left.isNegative() || left.isZero()) {
          throw new ActivityFailedException(
              "HTTP " + h.method() + " " + h.url() + " did not answer within " + timeout);
        }
        HttpRequest.Builder request =
            HttpRequest.newBuilder(target).timeout(left).method(method, body);
        h.headers().forEach(request::header);
        if (arguments != null
            && !query
            && !method.equals("GET")
            && !h.headers().keySet().stream().anyMatch(k -> k.equalsIgnoreCase("content-type"))) {
          request.header("Content-Type", "application/json");
        }
        try {
          response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
          throw new ActivityFailedException(
              "HTTP " + h.method() + " " + h.url() + " did not answer within " + timeout);
        } catch (IOException e) {
          throw new ActivityFailedException("HTTP " + h.method() + " " + h.url() + " failed: " + e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ActivityFailedException(
              "HTTP " + h.method() + " " + h.url() + " was interrupted: the run was stopped");
        }
        int status = response.statusCode();
        var location = response.headers().firstValue("location");
        if (status < 300 || status > 399 || status == 304 || location.isEmpty()) {
          break;
        }
        if (hops >= MAX_REDIRECTS) {
          throw new ActivityFailedException(
              "HTTP "
                  + h.method()
                  + " "
                  + h.url()
                  + " redirected more than "
                  + MAX_REDIRECTS
                  + " times");
        }
        URI next;
        try {
          next = target.resolve(location.get());
        } catch (IllegalArgumentException e) {
          throw new ActivityFailedException(
              "HTTP " + h.method() + " " + h.url() + " redirected to a bad URL: " + location.get());
        }
        String redirectRefusal = allowList.urlRefusal(next.toString());
        if (redirectRefusal != null) {
          String why = h.url() + " redirected (" + status + ") to " + redirectRefusal;
          auditRefusal("experiment.http", next.toString(), activity.name(), why);
          throw new ActivityFailedException("HTTP " + h.method() + " " + why);
        }
        if (status == 303 && !method.equals("HEAD")
            || (status == 301 || status == 302) && method.equals("POST")) {
          method = "GET";
          body = HttpRequest.BodyPublishers.noBody();
        }
        target = next;
      }
      ObjectNode out = EventCodec.MAPPER.createObjectNode().put("status", response.statusCode());
      ObjectNode headers = out.putObject("headers");
      response.headers().map().forEach((k, v) -> headers.put(k, String.join(", ", v)));
      out.set("body", bodyOf(response));
      if (h.expectedStatus() != null && response.statusCode() != h.expectedStatus()) {
        throw new ActivityFailedException(
            "HTTP "
                + h.method()
                + " "
                + h.url()
                + " answered "
                + response.statusCode()
                + ", expected "
                + h.expectedStatus());
      }
      return out;
    }

    private JsonNode bodyOf(HttpResponse<String> response) {
      String text = response.body();
      if (response.headers().firstValue("content-type").orElse("").contains("json")) {
        try {
          return EventCodec.MAPPER.readTree(text);
        } catch (IOException e) {
          return TextNode.valueOf(text);
        }
      }
      return TextNode.valueOf(text);
    }

    private JsonNode process(Provider.Process p, JsonNode toleranceValue, Activity activity) {
      String refusal = providers().allowList().executableRefusal(p.path());
      if (refusal != null) {
        auditRefusal("experiment.process", p.path(), activity.name(), refusal);
        throw new ActivityFailedException(refusal);
      }
      Duration timeout = p.timeout() != null ? p.timeout() : providers().timeout();
      Map<String, String> extra = new HashMap<>();
      if (toleranceValue != null) {
        extra.put(
            "CHAOS_TOLERANCE_VALUE",
            toleranceValue.isValueNode() ? toleranceValue.asText() : toleranceValue.toString());
      }
      ProcessBuilder builder =
          launcher.builder(
              java.nio.file.Path.of(p.path()).normalize().toString(),
              p.arguments(),
              p.env(),
              extra);
      java.lang.Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new ActivityFailedException("cannot run " + p.path() + ": " + e.getMessage());
      }
      try {
        process.getOutputStream().close();
        CompletableFuture<String> out = readAll(process.getInputStream());
        CompletableFuture<String> err = readAll(process.getErrorStream());
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          kill(process);
          throw new ActivityFailedException(
              p.path()
                  + " did not end within "
                  + timeout.toMillis() / 1000.0
                  + " s and was killed");
        }
        ObjectNode output =
            EventCodec.MAPPER
                .createObjectNode()
                .put("status", process.exitValue())
                .put("stdout", out.join())
                .put("stderr", err.join());
        if (!activity.isProbe() && process.exitValue() != 0) {
          throw new ActivityFailedException(
              p.path() + " exited with " + process.exitValue() + ": " + err.join().strip());
        }
        return output;
      } catch (IOException e) {
        kill(process);
        throw new ActivityFailedException("cannot run " + p.path() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        kill(process);
        Thread.currentThread().interrupt();
        throw new ActivityFailedException(p.path() + " was killed: the run was stopped");
      }
    }

    private void kill(java.lang.Process process) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }

    private CompletableFuture<String> readAll(java.io.InputStream in) {
      CompletableFuture<String> result = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try (in) {
                  result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  result.complete("");
                }
              },
              "valentia-process-output");
      t.setDaemon(true);
      t.start();
      return result;
    }

    private boolean met(List<ActivityRun> runs) {
      return runs.stream().allMatch(r -> Boolean.TRUE.equals(r.toleranceMet()));
    }

    private void emit(EventPayload payload, String activity) {
      EventPayload shown = hide(payload);
      if (shown == null) {
        return;
      }
      CloudEvent event =
          CloudEvent.of(shown).source(source).subject(runId).experimentId(runId).build();
      events.emit(event);
    }

    /**
     * {@code payload} with the experiment's secret values hidden; null (the event is not published,
     * the journal still has the step) when they cannot be hidden.
     */
    private EventPayload hide(EventPayload payload) {
      if (redaction().isEmpty()) {
        return payload;
      }
      try {
        JsonNode tree = EventCodec.MAPPER.valueToTree(payload);
        return EventCodec.MAPPER.treeToValue(redaction().apply(tree), payload.getClass());
      } catch (IOException | IllegalArgumentException e) {
        LOG.warn(
            "run {}: a {} event is not published: its secrets could not be hidden: {}",
            runId,
            payload.eventType().type(),
            e.toString());
        return null;
      }
    }

    private JsonNode hide(JsonNode node) {
      return redaction().apply(node);
    }

    private String hide(String text) {
      return redaction().apply(text);
    }

    private Redaction redaction() {
      return experiment.redaction() == null ? Redaction.none() : experiment.redaction();
    }

    /**
     * Audits a call the allow-list refused: an {@code io.valentia.audit.v1} event, outcome {@code
     * denied}, by whoever started the run.
     */
    private void auditRefusal(String action, String target, String activity, String why) {
      ObjectNode details =
          EventCodec.MAPPER
              .createObjectNode()
              .put("runId", runId)
              .put("experiment", experiment.title())
              .put("activity", activity)
              .put("reason", why);
      Audit audit =
          new Audit(
              options.by() == null || options.by().isBlank() ? "unknown" : options.by(),
              options.role() == null || options.role().isBlank() ? "unknown" : options.role(),
              action,
              target,
              "denied",
              null,
              details);
      EventPayload shown = hide(audit);
      if (shown != null) {
        events.emit(
            CloudEvent.of(shown).source(source).subject(audit.actor()).experimentId(runId).build());
      }
      LOG.warn("run {}: {} refused: {}", runId, hide(target), hide(why));
    }
  }

  /** The name of the method's journal entry that waits for the run's faults to end. */
  public static final String WAIT_FOR_FAULTS = "wait-for-faults";

  /** The activity as a journal shows it. */
  static JsonNode describe(Activity activity) {
    ObjectNode node =
        EventCodec.MAPPER
            .createObjectNode()
            .put("type", activity.type())
            .put("name", activity.name());
    Provider p = activity.provider();
    ObjectNode provider = node.putObject("provider").put("type", p.type());
    if (p instanceof Provider.Http h) {
      provider.put("url", h.url()).put("method", h.method());
    } else if (p instanceof Provider.Process pr) {
      provider.put("path", pr.path());
      pr.arguments().forEach(a -> provider.withArray("arguments").add(a));
    } else if (p instanceof Provider.Fault f) {
      provider.put("fault", f.fault()).set("arguments", f.arguments());
    } else if (p instanceof Provider.EventProbe e) {
      provider.put("probe", e.probe()).set("arguments", e.arguments());
    }
    if (activity.background()) {
      node.put("background", true);
    }
    if (activity.tolerance() != null) {
      node.set("tolerance", activity.tolerance());
    }
    if (activity.toleratesFailure()) {
      node.put(ExperimentLoader.TOLERATE_FAILURE, true);
    }
    return node;
  }
}
