package io.valentia.notifications.events;

import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The alert firing now for each entity an {@link EventAlerts} tracks ({@link #entityOf}), and how
 * an alert is fired, replaced or resolved: an alert whose labels change is resolved and one with
 * the new labels fires; one that fires again with the same labels keeps its {@code startsAt}. Not
 * thread-safe.
 */
final class FiringAlerts {
  private final Map<String, Alert> current = new HashMap<>(); // resolved ones are removed

  /**
   * The entity an alert stands for, from its labels: {@code incident|ID}, {@code run|ID}, {@code
   * deviated|ID}, {@code halt|}, {@code check|NAME|SOURCE}; empty for one-time alerts and
   * Prometheus alerts.
   */
  static Optional<String> entityOf(Map<String, String> labels) {
    String name = labels.getOrDefault("alertname", "");
    return switch (name) {
      case "IncidentOpen" -> Optional.of("incident|" + labels.get("incident"));
      case "ExperimentRunning" -> Optional.of("run|" + labels.get("experiment"));
      case "ExperimentDeviated" -> Optional.of("deviated|" + labels.get("experiment"));
      case "ChaosHalted" -> Optional.of("halt|");
      default ->
          labels.containsKey("check") && labels.containsKey("source")
              ? Optional.of("check|" + labels.get("check") + "|" + labels.get("source"))
              : Optional.empty();
    };
  }

  /** Takes back the alerts still firing among {@code alerts}. */
  void restore(Collection<Alert> alerts) {
    for (Alert alert : alerts) {
      if (alert.endsAt() == null) {
        entityOf(alert.labels()).ifPresent(entity -> current.put(entity, alert));
      }
    }
  }

  /** The alert firing for {@code entity}; null when none. */
  Alert get(String entity) {
    return current.get(entity);
  }

  /** Whether {@code before} exists and already has {@code labels}. */
  static boolean unchanged(Alert before, Map<String, String> labels) {
    return before != null && before.labels().equals(new TreeMap<>(labels));
  }

  /**
   * Fires the alert of {@code entity} with {@code labels}: the alert it replaces, resolved at
   * {@code at} when its labels differ, then the alert.
   */
  List<Alert> fire(
      String entity,
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant at,
      String url) {
    List<Alert> out = new ArrayList<>();
    Alert before = current.get(entity);
    Instant startsAt = at;
    if (before != null && !unchanged(before, labels)) {
      out.add(ended(before, at));
    } else if (before != null) {
      startsAt = before.startsAt();
    }
    Alert alert = new Alert(labels, annotations, startsAt, null, url);
    current.put(entity, alert);
    out.add(alert);
    return out;
  }

  /** The alert of {@code entity} resolved at {@code at}; empty when none fires. */
  List<Alert> resolve(String entity, Instant at) {
    Alert before = current.remove(entity);
    return before == null ? List.of() : List.of(ended(before, at));
  }

  /** An alert that fires from {@code at} and ends by itself {@link EventAlerts#ONE_SHOT} later. */
  static Alert oneShot(
      Map<String, String> labels, Map<String, String> annotations, Instant at, String url) {
    return new Alert(labels, annotations, at, at.plus(EventAlerts.ONE_SHOT), url);
  }

  private static Alert ended(Alert alert, Instant at) {
    return new Alert(
        alert.labels(),
        alert.annotations(),
        alert.startsAt(),
        at.isBefore(alert.startsAt()) ? alert.startsAt() : at,
        alert.generatorUrl());
  }
}
