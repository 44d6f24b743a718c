package io.valentia.notifications.events;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.ExperimentAborted;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.ExperimentRolledBack;
import io.valentia.eventbus.payload.ExperimentStarted;
import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts of chaos runs and the halt switch: {@code ExperimentRunning} fires while a run (not a
 * dry run) goes on and {@code ExperimentDeviated} once its steady state deviated, both resolved
 * when the run ends; an abort or a rollback raises a one-time alert; {@code ChaosHalted} fires
 * while the halt switch is on.
 */
final class ChaosAlerts {
  private final FiringAlerts firing;
  private final AlertLabels alertLabels;

  ChaosAlerts(FiringAlerts firing, AlertLabels alertLabels) {
    this.firing = firing;
    this.alertLabels = alertLabels;
  }

  List<Alert> started(CloudEvent event, ExperimentStarted started, Instant at) {
    if (started.dryRun()) {
      return List.of();
    }
    Map<String, String> labels = alertLabels.common(event, "ExperimentRunning");
    labels.put("experiment", started.runId());
    labels.put("severity", "info");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "Chaos experiment running: " + started.title());
    annotations.put(
        "description",
        started.targets().isEmpty()
            ? "no targets"
            : "targets " + String.join(", ", started.targets()));
    return firing.fire(
        "run|" + started.runId(),
        labels,
        annotations,
        at,
        alertLabels.link("/experiments.html?run=", started.runId()));
  }

  List<Alert> deviated(CloudEvent event, ExperimentDeviated deviated, Instant at) {
    Map<String, String> labels = alertLabels.common(event, "ExperimentDeviated");
    labels.put("experiment", deviated.runId());
    labels.put("severity", "warning");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "Steady state deviated: " + deviated.probe());
    annotations.put("description", deviated.reason() + " (" + deviated.phase() + ")");
    return firing.fire(
        "deviated|" + deviated.runId(),
        labels,
        annotations,
        at,
        alertLabels.link("/experiments.html?run=", deviated.runId()));
  }

  List<Alert> aborted(CloudEvent event, ExperimentAborted aborted, Instant at) {
    List<Alert> out = new ArrayList<>(runEnded(aborted.runId(), at));
    Map<String, String> labels = alertLabels.common(event, "ExperimentAborted");
    labels.put("experiment", aborted.runId());
    labels.put("severity", "warning");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "Chaos experiment aborted");
    annotations.put(
        "description",
        aborted.reason() + (aborted.by() == null ? "" : " (by " + aborted.by() + ")"));
    out.add(
        FiringAlerts.oneShot(
            labels, annotations, at, alertLabels.link("/experiments.html?run=", aborted.runId())));
    return out;
  }

  List<Alert> rolledBack(CloudEvent event, ExperimentRolledBack rolledBack, Instant at) {
    List<Alert> out = new ArrayList<>(runEnded(rolledBack.runId(), at));
    Map<String, String> labels = alertLabels.common(event, "ExperimentRolledBack");
    labels.put("experiment", rolledBack.runId());
    labels.put("severity", rolledBack.succeeded() ? "info" : "critical");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        "summary",
        rolledBack.succeeded()
            ? "Chaos experiment rolled back"
            : "Rollback of an experiment failed");
    annotations.put(
        "description",
        rolledBack.succeeded()
            ? rolledBack.rollbacks().size() + " rollback(s) ran"
            : "failed: " + String.join("; ", rolledBack.failures()));
    out.add(
        FiringAlerts.oneShot(
            labels,
            annotations,
            at,
            alertLabels.link("/experiments.html?run=", rolledBack.runId())));
    return out;
  }

  private List<Alert> runEnded(String runId, Instant at) {
    if (runId == null) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>(firing.resolve("run|" + runId, at));
    out.addAll(firing.resolve("deviated|" + runId, at));
    return out;
  }

  List<Alert> halt(CloudEvent event, ChaosHalt halt, Instant at) {
    if (halt.released()) {
      return firing.resolve("halt|", at);
    }
    Map<String, String> labels = alertLabels.common(event, "ChaosHalted");
    labels.put("severity", "critical");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "All chaos halted");
    annotations.put(
        "description",
        halt.reason()
            + " (by "
            + halt.requestedBy()
            + "; "
            + halt.revertedFaults()
            + " fault(s) reverted)");
    return firing.fire("halt|", labels, annotations, at, alertLabels.page("/"));
  }

  /** Resolves the alerts of the run {@code event} completed. */
  List<Alert> completed(CloudEvent event, Instant at) {
    return runEnded(runOf(event), at);
  }

  private static String runOf(CloudEvent event) {
    return event.data() != null && event.data().hasNonNull("runId")
        ? event.data().get("runId").asText()
        : event.experimentId();
  }
}
