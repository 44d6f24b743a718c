package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.payload.EventPayload;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the events of one run ({@code chaos.experiment.*} with the run as subject, and the
 * audit of refused provider calls) with the experiment's secret values hidden; hides them in
 * anything else the run journals or logs too. Thread-safe.
 */
final class RunEventPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(RunEventPublisher.class);

  private final RunEvents events;
  private final String source;
  private final String runId;
  private final Experiment experiment;
  private final ExperimentRunner.RunOptions options;
  private final Redaction redaction;

  RunEventPublisher(
      RunEvents events,
      String source,
      String runId,
      Experiment experiment,
      ExperimentRunner.RunOptions options) {
    this.events = events;
    this.source = source;
    this.runId = runId;
    this.experiment = experiment;
    this.options = options;
    this.redaction = experiment.redaction() == null ? Redaction.none() : experiment.redaction();
  }

  String runId() {
    return runId;
  }

  /** Publishes {@code payload} about this run; dropped when its secrets cannot be hidden. */
  void emit(EventPayload payload) {
    EventPayload shown = hide(payload);
    if (shown == null) {
      return;
    }
    events.emit(CloudEvent.of(shown).source(source).subject(runId).experimentId(runId).build());
  }

  /**
   * Audits a call the allow-list refused: an {@code io.valentia.audit.v1} event, outcome {@code
   * denied}, by whoever started the run.
   */
  void auditRefusal(String action, String target, String activity, String why) {
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

  /**
   * {@code payload} with the experiment's secret values hidden; null (the event is not published,
   * the journal still has the step) when they cannot be hidden.
   */
  EventPayload hide(EventPayload payload) {
    if (redaction.isEmpty()) {
      return payload;
    }
    try {
      JsonNode tree = EventCodec.MAPPER.valueToTree(payload);
      return EventCodec.MAPPER.treeToValue(redaction.apply(tree), payload.getClass());
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn(
          "run {}: a {} event is not published: its secrets could not be hidden: {}",
          runId,
          payload.eventType().type(),
          e.toString());
      return null;
    }
  }

  JsonNode hide(JsonNode node) {
    return redaction.apply(node);
  }

  String hide(String text) {
    return redaction.apply(text);
  }
}
