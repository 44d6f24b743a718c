package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.ExperimentDeviated;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The steady-state hypothesis of one run (Chaos Toolkit's {@code hypothesis}): runs its probes and
 * judges each output against the probe's tolerance (a value, a range, a regex, a JSON path or
 * another probe, see {@link Tolerances}); a probe that fails or misses its tolerance is a
 * deviation, emitted as {@code chaos.experiment.deviated}. Thread-safe.
 */
final class Hypothesis {
  private final Experiment experiment;
  private final Activities activities;
  private final RunEventPublisher events;
  private final FaultCatalog catalog;

  Hypothesis(
      Experiment experiment,
      Activities activities,
      RunEventPublisher events,
      FaultCatalog catalog) {
    this.experiment = experiment;
    this.activities = activities;
    this.events = events;
    this.catalog = catalog;
  }

  /** Whether the experiment has a hypothesis to check. */
  boolean present() {
    return experiment.hypothesis() != null;
  }

  /** The probes of the hypothesis. */
  List<Activity> probes() {
    return experiment.hypothesis().probes();
  }

  /**
   * Checks every probe in {@code phase} ({@code steady-state-before} or {@code
   * steady-state-after}), emitting a deviation for each one not met.
   */
  List<ActivityRun> check(String phase) {
    List<ActivityRun> runs = new ArrayList<>();
    for (Activity probe : probes()) {
      ActivityRun run = checkProbe(probe, phase);
      runs.add(run);
      if (!Boolean.TRUE.equals(run.toleranceMet())) {
        events.emit(
            new ExperimentDeviated(
                events.runId(), probe.name(), phase.replace("steady-state-", ""), reasonOf(run)));
      }
    }
    return runs;
  }

  /** Whether every probe of {@code runs} met its tolerance. */
  static boolean met(List<ActivityRun> runs) {
    return runs.stream().allMatch(r -> Boolean.TRUE.equals(r.toleranceMet()));
  }

  /** Why a probe did not meet its tolerance. */
  static String reasonOf(ActivityRun run) {
    return run.exception() != null ? run.exception() : "tolerance not met";
  }

  /** Runs {@code probe} and judges its output; a failed probe does not meet its tolerance. */
  ActivityRun checkProbe(Activity probe, String phase) {
    ActivityRun run = activities.execute(probe, phase, false);
    if (!run.succeeded()) {
      return run.withToleranceMet(false);
    }
    Tolerances.Verdict verdict =
        Tolerances.check(
            probe.tolerance(),
            run.output() == null ? EventCodec.MAPPER.nullNode() : run.output(),
            this::toleranceProbe);
    return new ActivityRun(
        run.activity(),
        run.phase(),
        run.status(),
        run.output(),
        verdict.met() ? null : events.hide(verdict.reason()),
        run.start(),
        run.end(),
        verdict.met());
  }

  /**
   * A tolerance that is itself a probe: met unless it answers {@code false} or is a process that
   * exits non-zero.
   */
  private Tolerances.Verdict toleranceProbe(JsonNode tolerance, JsonNode value) {
    Activity probe =
        new Activity(
            tolerance.path("name").asText("tolerance"),
            "probe",
            toleranceProvider(tolerance.path("provider")),
            Duration.ZERO,
            Duration.ZERO,
            false,
            null,
            List.of(),
            "tolerance",
            false);
    try {
      JsonNode output = activities.invoke(probe, value);
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

  /** The provider of a tolerance probe, read as the provider of a one-probe experiment. */
  private Provider toleranceProvider(JsonNode node) {
    ExperimentLoader.Loaded loaded =
        new ExperimentLoader(catalog)
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
}
