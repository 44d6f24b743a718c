package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.faults.FaultInjector.ActiveFault;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.ExperimentStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the activities of one run (Chaos Toolkit's {@code activity}): each with its pauses, through
 * its provider (http, process, a Valentia fault or event probe), journaled as an {@link
 * ActivityRun} and emitted as {@code chaos.experiment.step} events when it starts and ends. An
 * activity never throws: a failure is its journal entry's {@code failed} status and exception.
 * Thread-safe (background activities run beside the others).
 */
final class Activities {
  private static final Logger LOG = LoggerFactory.getLogger(Activities.class);

  private final String runId;
  private final FaultInjector injector;
  private final EventProbes eventProbes;
  private final HttpProvider http;
  private final ProcessProvider process;
  private final RunEventPublisher events;
  private final RunControl control;
  private final Clock clock;

  Activities(
      FaultInjector injector,
      EventProbes eventProbes,
      HttpProvider http,
      ProcessProvider process,
      RunEventPublisher events,
      RunControl control,
      Clock clock) {
    this.runId = control.runId;
    this.injector = injector;
    this.eventProbes = eventProbes;
    this.http = http;
    this.process = process;
    this.events = events;
    this.control = control;
    this.clock = clock;
  }

  /**
   * Runs one activity with its pauses; never throws.
   *
   * @param interruptible whether a stop cuts its pauses short (the method's activities); a stopped
   *     run skips an interruptible activity whose pause before was cut
   */
  ActivityRun execute(Activity activity, String phase, boolean interruptible) {
    JsonNode shown = events.hide(describe(activity));
    if (interruptible && !pause(activity.pauseBefore())) {
      Instant now = clock.instant();
      return new ActivityRun(
          shown, phase, "failed", null, "the run was stopped: " + control.reason(), now, now, null);
    }
    Instant start = clock.instant();
    events.emit(
        new ExperimentStep(
            runId, phase, activity.name(), activity.type(), "running", start, null, null, null));
    JsonNode output = null;
    String error = null;
    try {
      output = events.hide(invoke(activity, null));
    } catch (RuntimeException e) {
      error = events.hide(e.getMessage() == null ? e.toString() : e.getMessage());
    }
    Instant end = clock.instant();
    String status = error == null ? "succeeded" : "failed";
    events.emit(
        new ExperimentStep(
            runId, phase, activity.name(), activity.type(), status, start, end, output, error));
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

  /**
   * Calls {@code activity}'s provider, without pauses, journal or events.
   *
   * @param toleranceValue the value a tolerance probe judges; null for an activity
   * @throws RuntimeException (mostly {@link ActivityFailedException}) when it fails
   */
  JsonNode invoke(Activity activity, JsonNode toleranceValue) {
    Provider provider = activity.provider();
    if (provider instanceof Provider.Http h) {
      return http.call(h, toleranceValue, activity.name(), events);
    }
    if (provider instanceof Provider.Process p) {
      return process.run(p, toleranceValue, activity, events);
    }
    if (provider instanceof Provider.Fault f) {
      return inject(f);
    }
    if (provider instanceof Provider.EventProbe p) {
      return eventProbes.run(p.probe(), p.arguments());
    }
    throw new ActivityFailedException("the " + provider.type() + " provider is not supported");
  }

  private JsonNode inject(Provider.Fault f) {
    try {
      ActiveFault fault = injector.inject(runId, f.fault(), f.arguments());
      ObjectNode out =
          EventCodec.MAPPER.createObjectNode().put("fault", fault.fault()).put("id", fault.id());
      fault.targets().forEach(t -> out.withArray("targets").add(t.toString()));
      if (fault.until() != null) {
        out.put("until", fault.until().toString());
      }
      return out;
    } catch (FaultException e) {
      throw new ActivityFailedException(e.getMessage());
    }
  }

  /** Waits {@code duration}; false when the run is (or gets) stopped meanwhile. */
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

  private static void sleepUninterrupted(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

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
