package io.valentia.notifications.events;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentUpdated;
import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts of an incident: {@code IncidentOpen} fires while it is open, with its severity and
 * status as labels (a change of either replaces the alert), and resolves when it is resolved or
 * closed.
 */
final class IncidentAlerts {
  private final FiringAlerts firing;
  private final AlertLabels alertLabels;

  IncidentAlerts(FiringAlerts firing, AlertLabels alertLabels) {
    this.firing = firing;
    this.alertLabels = alertLabels;
  }

  List<Alert> opened(CloudEvent event, IncidentOpened opened, Instant at) {
    Map<String, String> labels = alertLabels.common(event, "IncidentOpen");
    labels.put("incident", event.incidentId());
    labels.put("severity", severityOfSev(opened.severity()));
    labels.put("sev", opened.severity());
    labels.put("status", "open");
    labels.put("rule", opened.rule());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", opened.title());
    annotations.put(
        "description",
        opened.severity()
            + " incident opened by rule "
            + opened.rule()
            + " on "
            + evidence(opened.evidence().size()));
    return firing.fire(
        "incident|" + event.incidentId(),
        labels,
        annotations,
        at,
        alertLabels.link("/incidents.html?id=", event.incidentId()));
  }

  List<Alert> updated(CloudEvent event, IncidentUpdated update, Instant at) {
    String entity = "incident|" + event.incidentId();
    if (update.status().equals("resolved") || update.status().equals("closed")) {
      return firing.resolve(entity, at);
    }
    Alert before = firing.get(entity);
    Map<String, String> labels =
        before != null
            ? new LinkedHashMap<>(before.labels())
            : alertLabels.common(event, "IncidentOpen");
    labels.put("incident", event.incidentId());
    labels.put("severity", severityOfSev(update.severity()));
    labels.put("sev", update.severity());
    labels.put("status", update.status());
    Map<String, String> annotations =
        before != null ? new LinkedHashMap<>(before.annotations()) : new LinkedHashMap<>();
    annotations.put("summary", update.title());
    annotations.put(
        "description",
        update.severity()
            + " incident is "
            + update.status()
            + (update.by() == null || update.by().isBlank() ? "" : " (by " + update.by() + ")"));
    if (FiringAlerts.unchanged(before, labels)) {
      return List.of();
    }
    return firing.fire(
        entity,
        labels,
        annotations,
        at,
        alertLabels.link("/incidents.html?id=", event.incidentId()));
  }

  List<Alert> resolved(CloudEvent event, Instant at) {
    return firing.resolve("incident|" + event.incidentId(), at);
  }

  private static String severityOfSev(String sev) {
    return switch (sev) {
      case "SEV1", "SEV2" -> "critical";
      case "SEV3" -> "warning";
      default -> "info";
    };
  }

  private static String evidence(int n) {
    return n == 1 ? "1 piece of evidence" : n + " pieces of evidence";
  }
}
