package io.valentia.notifications.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventHosts;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.ExperimentAborted;
import io.valentia.eventbus.payload.ExperimentDeviated;
import io.valentia.eventbus.payload.ExperimentRolledBack;
import io.valentia.eventbus.payload.ExperimentStarted;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentUpdated;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.PrometheusAlert;
import io.valentia.notifications.alert.Alert;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns Valentia's events into alerts, the way Prometheus turns a rule's result into one: each
 * thing worth telling a person about (an incident, a chaos run, a deviation, the halt switch, a
 * health check, a postmortem's review) is one alert that fires while it lasts and resolves when it
 * ends.
 *
 * <p>An alert's labels are its identity, as in Alertmanager: when a label that routes match on
 * changes (an incident's severity or status, a check going from warning to error), the alert with
 * the old labels is resolved and one with the new labels fires, so the group's next notification
 * shows the change. Events that only tell that something happened (a run aborted or rolled back, a
 * postmortem moved to review) raise an alert that ends by itself after {@link #ONE_SHOT}, as an
 * Alertmanager alert without {@code endsAt} does after {@code resolve_timeout}.
 *
 * <p>Labels: {@code alertname}, {@code type} (the type of the event that raised it), {@code
 * severity} ({@code critical}, {@code warning} or {@code info}), and where known {@code subject},
 * {@code host}, {@code service}, {@code experiment}, {@code incident}, {@code rule}, {@code check},
 * {@code postmortem}. Not thread-safe: one instance per dispatcher, used on its context.
 */
public final class EventAlerts {
  /**
   * How long an alert raised by a one-time event fires (Alertmanager's default resolve_timeout).
   */
  public static final Duration ONE_SHOT = Duration.ofMinutes(5);

  /** The types this class raises alerts from; the others are not read. */
  public static final Set<String> TYPES =
      Set.of(
          EventType.INCIDENT_OPENED.type(),
          EventType.INCIDENT_UPDATED.type(),
          EventType.INCIDENT_RESOLVED.type(),
          EventType.CHAOS_EXPERIMENT_STARTED.type(),
          EventType.CHAOS_EXPERIMENT_DEVIATED.type(),
          EventType.CHAOS_EXPERIMENT_ABORTED.type(),
          EventType.CHAOS_EXPERIMENT_COMPLETED.type(),
          EventType.CHAOS_EXPERIMENT_ROLLEDBACK.type(),
          EventType.CHAOS_HALT.type(),
          EventType.HEALTH_CHANGED.type(),
          EventType.POSTMORTEM_REVISED.type(),
          EventType.ALERT.type());

  private final String externalUrl;

  /** The alert firing now for each entity ({@link #entityOf}); resolved ones are removed. */
  private final Map<String, Alert> current = new HashMap<>();

  /**
   * @param externalUrl the web UI's address, for the links in the alerts
   */
  public EventAlerts(URI externalUrl) {
    String url = externalUrl.toString();
    this.externalUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * Takes back what was firing before a restart (the alerts of the dispatcher's groups), so that an
   * update resolves the right alert.
   */
  public void restore(Collection<Alert> alerts) {
    for (Alert alert : alerts) {
      if (alert.endsAt() == null) {
        entityOf(alert.labels()).ifPresent(entity -> current.put(entity, alert));
      }
    }
  }

  /**
   * The alerts {@code event} raises, updates or resolves (empty for the events that say nothing a
   * person needs to hear).
   *
   * @throws IllegalArgumentException when the event's data is not its type's payload
   */
  public List<Alert> on(CloudEvent event) {
    Instant at = event.time() != null ? event.time() : Instant.now();
    EventType type = EventType.of(event.type()).orElse(null);
    if (type == null) {
      return List.of();
    }
    return switch (type) {
      case INCIDENT_OPENED -> incidentOpened(event, payload(event, IncidentOpened.class), at);
      case INCIDENT_UPDATED -> incidentUpdated(event, payload(event, IncidentUpdated.class), at);
      case INCIDENT_RESOLVED -> resolve("incident|" + event.incidentId(), at);
      case CHAOS_EXPERIMENT_STARTED ->
          experimentStarted(event, payload(event, ExperimentStarted.class), at);
      case CHAOS_EXPERIMENT_DEVIATED ->
          experimentDeviated(event, payload(event, ExperimentDeviated.class), at);
      case CHAOS_EXPERIMENT_ABORTED ->
          experimentAborted(event, payload(event, ExperimentAborted.class), at);
      case CHAOS_EXPERIMENT_COMPLETED -> runEnded(runOf(event), at);
      case CHAOS_EXPERIMENT_ROLLEDBACK ->
          experimentRolledBack(event, payload(event, ExperimentRolledBack.class), at);
      case CHAOS_HALT -> halt(event, payload(event, ChaosHalt.class), at);
      case HEALTH_CHANGED -> health(event, payload(event, HealthChanged.class), at);
      case POSTMORTEM_REVISED -> postmortem(event, payload(event, PostmortemRevised.class), at);
      case ALERT -> prometheus(event, payload(event, PrometheusAlert.class), at);
      default -> List.of();
    };
  }

  // ---- incidents ----

  private List<Alert> incidentOpened(CloudEvent event, IncidentOpened opened, Instant at) {
    Map<String, String> labels = common(event, "IncidentOpen");
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
    return fire(
        "incident|" + event.incidentId(),
        labels,
        annotations,
        at,
        link("/incidents.html?id=", event.incidentId()));
  }

  private List<Alert> incidentUpdated(CloudEvent event, IncidentUpdated update, Instant at) {
    String entity = "incident|" + event.incidentId();
    if (update.status().equals("resolved") || update.status().equals("closed")) {
      return resolve(entity, at);
    }
    Alert before = current.get(entity);
    Map<String, String> labels =
        before != null ? new LinkedHashMap<>(before.labels()) : common(event, "IncidentOpen");
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
    if (before != null && before.labels().equals(sorted(labels))) {
      return List.of();
    }
    return fire(entity, labels, annotations, at, link("/incidents.html?id=", event.incidentId()));
  }

  // ---- chaos ----

  private List<Alert> experimentStarted(CloudEvent event, ExperimentStarted started, Instant at) {
    if (started.dryRun()) {
      return List.of();
    }
    Map<String, String> labels = common(event, "ExperimentRunning");
    labels.put("experiment", started.runId());
    labels.put("severity", "info");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "Chaos experiment running: " + started.title());
    annotations.put(
        "description",
        started.targets().isEmpty()
            ? "no targets"
            : "targets " + String.join(", ", started.targets()));
    return fire(
        "run|" + started.runId(),
        labels,
        annotations,
        at,
        link("/experiments.html?run=", started.runId()));
  }

  private List<Alert> experimentDeviated(
      CloudEvent event, ExperimentDeviated deviated, Instant at) {
    Map<String, String> labels = common(event, "ExperimentDeviated");
    labels.put("experiment", deviated.runId());
    labels.put("severity", "warning");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "Steady state deviated: " + deviated.probe());
    annotations.put("description", deviated.reason() + " (" + deviated.phase() + ")");
    return fire(
        "deviated|" + deviated.runId(),
        labels,
        annotations,
        at,
        link("/experiments.html?run=", deviated.runId()));
  }

  private List<Alert> experimentAborted(CloudEvent event, ExperimentAborted aborted, Instant at) {
    List<Alert> out = new ArrayList<>(runEnded(aborted.runId(), at));
    Map<String, String> labels = common(event, "ExperimentAborted");
    labels.put("experiment", aborted.runId());
    labels.put("severity", "warning");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "Chaos experiment aborted");
    annotations.put(
        "description",
        aborted.reason() + (aborted.by() == null ? "" : " (by " + aborted.by() + ")"));
    out.add(oneShot(labels, annotations, at, link("/experiments.html?run=", aborted.runId())));
    return out;
  }

  private List<Alert> experimentRolledBack(
      CloudEvent event, ExperimentRolledBack rolledBack, Instant at) {
    List<Alert> out = new ArrayList<>(runEnded(rolledBack.runId(), at));
    Map<String, String> labels = common(event, "ExperimentRolledBack");
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
    out.add(oneShot(labels, annotations, at, link("/experiments.html?run=", rolledBack.runId())));
    return out;
  }

  private List<Alert> runEnded(String runId, Instant at) {
    if (runId == null) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>(resolve("run|" + runId, at));
    out.addAll(resolve("deviated|" + runId, at));
    return out;
  }

  private static String runOf(CloudEvent event) {
    return event.data() != null && event.data().hasNonNull("runId")
        ? event.data().get("runId").asText()
        : event.experimentId();
  }

  private List<Alert> halt(CloudEvent event, ChaosHalt halt, Instant at) {
    if (halt.released()) {
      return resolve("halt|", at);
    }
    Map<String, String> labels = common(event, "ChaosHalted");
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
    return fire("halt|", labels, annotations, at, externalUrl + "/");
  }

  // ---- health ----

  private List<Alert> health(CloudEvent event, HealthChanged change, Instant at) {
    String entity = "check|" + change.check() + "|" + event.source();
    if (change.status().equals("HEALTH_OK")) {
      return resolve(entity, at);
    }
    Map<String, String> labels = common(event, change.check());
    labels.put("check", change.check());
    labels.put("severity", change.status().equals("HEALTH_ERR") ? "critical" : "warning");
    labels.put("status", change.status());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", change.summary().isBlank() ? change.check() : change.summary());
    annotations.put("description", String.join("\n", change.detail()));
    Alert before = current.get(entity);
    if (before != null && before.labels().equals(sorted(labels))) {
      return List.of();
    }
    return fire(entity, labels, annotations, at, externalUrl + "/#health");
  }

  // ---- postmortems ----

  private List<Alert> postmortem(CloudEvent event, PostmortemRevised revised, Instant at) {
    boolean moved =
        revised.action().equals("status-changed")
            && (revised.status().equals("in-review") || revised.status().equals("final"));
    if (!moved) {
      return List.of();
    }
    Map<String, String> labels =
        common(event, revised.status().equals("final") ? "PostmortemFinal" : "PostmortemInReview");
    labels.put("postmortem", revised.postmortemId());
    labels.put("severity", "info");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        "summary",
        "Postmortem "
            + revised.postmortemId()
            + (revised.status().equals("final") ? " is final" : " is ready for review"));
    annotations.put(
        "description",
        "revision " + revised.revision() + " by " + revised.author() + noteOf(revised.note()));
    return List.of(
        oneShot(labels, annotations, at, link("/postmortems.html?id=", revised.postmortemId())));
  }

  // ---- Prometheus ----

  private List<Alert> prometheus(CloudEvent event, PrometheusAlert alert, Instant at) {
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

  // ---- the parts ----

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

  private Map<String, String> common(CloudEvent event, String alertname) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", alertname);
    labels.put("type", event.type());
    labels.put("source", event.source());
    labels.put("service", serviceOf(event.source()));
    if (event.subject() != null && !event.subject().isBlank()) {
      labels.put("subject", event.subject());
    }
    if (event.experimentId() != null) {
      labels.put("experiment", event.experimentId());
    }
    if (event.incidentId() != null) {
      labels.put("incident", event.incidentId());
    }
    String host = hostOf(event);
    if (host != null) {
      labels.put("host", host);
    }
    return labels;
  }

  /** The first segment of the source, e.g. {@code probes} of {@code /probes/mtu/osd-1}. */
  static String serviceOf(String source) {
    String s = source.startsWith("/") ? source.substring(1) : source;
    int slash = s.indexOf('/');
    return slash < 0 ? s : s.substring(0, slash);
  }

  /**
   * The host the event is about, as its type defines it ({@link EventHosts}), else the {@code host}
   * or {@code hostname} its data names, if any.
   */
  private static String hostOf(CloudEvent event) {
    String host = EventHosts.of(event);
    if (host != null || event.data() == null) {
      return host;
    }
    for (String field : List.of("host", "hostname")) {
      if (event.data().hasNonNull(field) && event.data().get(field).isTextual()) {
        return event.data().get(field).asText();
      }
    }
    return null;
  }

  private List<Alert> fire(
      String entity,
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant at,
      String url) {
    List<Alert> out = new ArrayList<>();
    Alert before = current.get(entity);
    Instant startsAt = at;
    if (before != null && !before.labels().equals(sorted(labels))) {
      out.add(ended(before, at));
    } else if (before != null) {
      startsAt = before.startsAt();
    }
    Alert alert = new Alert(labels, annotations, startsAt, null, url);
    current.put(entity, alert);
    out.add(alert);
    return out;
  }

  private List<Alert> resolve(String entity, Instant at) {
    Alert before = current.remove(entity);
    return before == null ? List.of() : List.of(ended(before, at));
  }

  private static Alert oneShot(
      Map<String, String> labels, Map<String, String> annotations, Instant at, String url) {
    return new Alert(labels, annotations, at, at.plus(ONE_SHOT), url);
  }

  private static Alert ended(Alert alert, Instant at) {
    return new Alert(
        alert.labels(),
        alert.annotations(),
        alert.startsAt(),
        at.isBefore(alert.startsAt()) ? alert.startsAt() : at,
        alert.generatorUrl());
  }

  private static Map<String, String> sorted(Map<String, String> labels) {
    return new java.util.TreeMap<>(labels);
  }

  private String link(String path, String id) {
    return id == null ? externalUrl + "/" : externalUrl + path + encode(id);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
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

  private static String noteOf(String note) {
    return note == null || note.isBlank() ? "" : ": " + note;
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

  private static <T> T payload(CloudEvent event, Class<T> type) {
    try {
      return EventCodec.MAPPER.treeToValue(event.data(), type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "event " + event.id() + " is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
