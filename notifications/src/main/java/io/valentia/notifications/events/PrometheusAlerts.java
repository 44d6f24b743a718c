package io.valentia.notifications.events;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.PrometheusAlert;
import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Prometheus alert forwarded as an event, taken as it is: its own labels (with {@code type},
 * {@code severity} {@code warning} and the event's {@code incident} where it has none), its times,
 * and resolved at the event's time when it says {@code resolved} without an end.
 */
final class PrometheusAlerts {
  private PrometheusAlerts() {}

  static List<Alert> of(CloudEvent event, PrometheusAlert alert, Instant at) {
    Map<String, String> labels = new LinkedHashMap<>(alert.labels());
    labels.putIfAbsent("type", event.type());
    labels.putIfAbsent("severity", "warning");
    if (event.incidentId() != null) {
      labels.putIfAbsent("incident", event.incidentId());
    }
    Instant startsAt = instantOrNull(alert.startsAt());
    Instant endsAt = instantOrNull(alert.endsAt());
    if (endsAt != null && endsAt.getEpochSecond() < 0) {
      endsAt = null; // Alertmanager's zero time: no end
    }
    if (alert.status().equals("resolved") && endsAt == null) {
      endsAt = at;
    }
    return List.of(
        new Alert(
            labels,
            alert.annotations() == null ? Map.of() : alert.annotations(),
            startsAt != null ? startsAt : at,
            endsAt,
            alert.generatorURL()));
  }

  /** The instant of an RFC 3339 time, or null for null, blank or unreadable text. */
  private static Instant instantOrNull(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
