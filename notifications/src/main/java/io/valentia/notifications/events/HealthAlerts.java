package io.valentia.notifications.events;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert of a health check that is not {@code HEALTH_OK}, named after the check and keyed by
 * check and source: {@code critical} for {@code HEALTH_ERR}, else {@code warning}; a change of
 * status replaces it, {@code HEALTH_OK} resolves it.
 */
final class HealthAlerts {
  private final FiringAlerts firing;
  private final AlertLabels alertLabels;

  HealthAlerts(FiringAlerts firing, AlertLabels alertLabels) {
    this.firing = firing;
    this.alertLabels = alertLabels;
  }

  List<Alert> changed(CloudEvent event, HealthChanged change, Instant at) {
    String entity = "check|" + change.check() + "|" + event.source();
    if (change.status().equals("HEALTH_OK")) {
      return firing.resolve(entity, at);
    }
    Map<String, String> labels = alertLabels.common(event, change.check());
    labels.put("check", change.check());
    labels.put("severity", change.status().equals("HEALTH_ERR") ? "critical" : "warning");
    labels.put("status", change.status());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", change.summary().isBlank() ? change.check() : change.summary());
    annotations.put("description", String.join("\n", change.detail()));
    Alert before = firing.get(entity);
    if (FiringAlerts.unchanged(before, labels)) {
      return List.of();
    }
    return firing.fire(entity, labels, annotations, at, alertLabels.page("/#health"));
  }
}
