package io.valentia.notifications.alert;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An alert, as Alertmanager knows it: a label set that identifies it, annotations that describe it,
 * and when it started and ended. Valentia raises alerts from its events (an incident opened, an
 * experiment deviated, chaos halted, a health check raised) and receives them from Prometheus.
 *
 * @param labels what identifies the alert and what routes match on ({@code type}, {@code severity},
 *     {@code subject}, {@code host}, {@code service}, {@code experiment}, {@code incident}, {@code
 *     rule}); sorted by name
 * @param annotations what describes it ({@code summary}, {@code description}, {@code status}); not
 *     part of its identity
 * @param startsAt when it started firing
 * @param endsAt when it ended; null while it fires with no known end
 * @param generatorUrl the page in the web UI (or Prometheus) that shows it; may be null
 */
public record Alert(
    Map<String, String> labels,
    Map<String, String> annotations,
    Instant startsAt,
    Instant endsAt,
    String generatorUrl) {

  public Alert {
    Objects.requireNonNull(startsAt, "startsAt");
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    annotations = Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
  }

  /** Whether the alert has ended by {@code now}. */
  public boolean resolvedAt(Instant now) {
    return endsAt != null && !endsAt.isAfter(now);
  }

  /** Alertmanager's fingerprint of the label set: 16 hex digits, the alert's identity. */
  public String fingerprint() {
    return Fingerprints.of(labels);
  }

  /** The value of label {@code name}, or the empty string (Alertmanager's "missing is empty"). */
  public String label(String name) {
    return labels.getOrDefault(name, "");
  }
}
