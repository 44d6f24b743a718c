package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentResolved;
import io.valentia.eventbus.payload.IncidentUpdated;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the event stream into incidents with {@link DetectionRules}: a rule that fires opens an
 * incident, or joins the active one it correlates with (same subject or experiment within the
 * correlation window) and publishes an update; a warning or critical event that correlates joins as
 * evidence without an update event (the incident keeps at most {@link Incident#MAX_EVIDENCE} ids).
 * Emits {@code incident.opened}, {@code incident.updated} and {@code incident.resolved} events. Not
 * thread-safe: feed it from one thread or context.
 */
public final class IncidentDetector {
  public static final String SOURCE = "/postmortem/incidents";

  private final DetectionRules rules;
  private final Map<String, Incident> incidents = new LinkedHashMap<>();
  private final Map<String, Deque<Instant>> frameBursts = new HashMap<>();
  private final Map<String, Deque<Object[]>> kills = new HashMap<>();

  public IncidentDetector(DetectionRules rules) {
    this.rules = rules;
  }

  /** Every incident known, oldest first. */
  public List<Incident> incidents() {
    return List.copyOf(incidents.values());
  }

  public Optional<Incident> incident(String id) {
    return Optional.ofNullable(incidents.get(id));
  }

  /** What {@code event} changes: the incident events to publish, in order; empty for none. */
  public List<CloudEvent> accept(CloudEvent event) {
    if (!rules.enabled() || event.type().startsWith("io.valentia.incident.")) {
      return List.of();
    }
    Instant at = event.time() != null ? event.time() : Instant.now();
    Optional<Trigger> trigger = trigger(event, at);
    Optional<Incident> related = correlated(event, at);
    if (related.isPresent()) {
      Incident incident = related.get();
      if (trigger.isEmpty() && event.severityOrInfo() == Severity.INFO) {
        return List.of();
      }
      incident.join(event.id(), event.subject(), event.experimentId(), at);
      if (trigger.isEmpty()) {
        return List.of(); // joins quietly: a noisy subject must not flood the topic with updates
      }
      incident.raise(trigger.get().severity());
      return List.of(updated(incident, List.of(event.id()), "detector"));
    }
    if (trigger.isEmpty()) {
      return List.of();
    }
    Trigger t = trigger.get();
    Incident incident =
        new Incident("inc-" + EventIds.next(), t.rule(), t.title(), t.severity(), at);
    incident.join(event.id(), event.subject(), event.experimentId(), at);
    incidents.put(incident.id(), incident);
    return List.of(
        CloudEvent.of(new IncidentOpened(t.title(), t.severity(), t.rule(), List.of(event.id())))
            .source(SOURCE)
            .subject(event.subject())
            .experimentId(event.experimentId())
            .incidentId(incident.id())
            .time(at)
            .build());
  }

  /**
   * Takes back the state an {@code incident.*} event records (read from the log at start), so
   * incidents survive a restart: {@code incident.opened} recreates the incident with its id, rule,
   * title, severity, time, subject, experiment and evidence; {@code incident.updated} sets its
   * status, severity and title and adds its evidence; {@code incident.resolved} resolves it. Other
   * events and events of unknown incidents are ignored. Detection windows (frame bursts, KILL
   * denials) start empty again.
   */
  public void restore(CloudEvent event) {
    String id = event.incidentId();
    Optional<EventType> type = EventType.of(event.type());
    if (id == null || type.isEmpty() || event.data() == null) {
      return;
    }
    Instant at = event.time() != null ? event.time() : Instant.now();
    var data = event.data();
    switch (type.get()) {
      case INCIDENT_OPENED -> {
        if (incidents.containsKey(id)) {
          return;
        }
        Incident incident =
            new Incident(
                id,
                data.path("rule").asText(),
                data.path("title").asText(),
                data.path("severity").asText("SEV4"),
                at);
        data.path("evidence")
            .forEach(e -> incident.join(e.asText(), event.subject(), event.experimentId(), at));
        if (data.path("evidence").isEmpty()) {
          incident.join(id, event.subject(), event.experimentId(), at);
        }
        incidents.put(id, incident);
      }
      case INCIDENT_UPDATED -> {
        Incident incident = incidents.get(id);
        if (incident == null) {
          return;
        }
        data.path("addedEvidence")
            .forEach(e -> incident.join(e.asText(), event.subject(), event.experimentId(), at));
        incident.restore(
            data.path("status").asText(incident.status()),
            data.path("severity").asText(incident.severity()),
            data.path("title").asText(incident.title()),
            at);
      }
      case INCIDENT_RESOLVED -> {
        Incident incident = incidents.get(id);
        if (incident != null && Incident.canMove(incident.status(), "resolved")) {
          incident.move("resolved", at);
        }
      }
      default -> {}
    }
  }

  /**
   * Moves incident {@code id} to {@code status} on behalf of {@code by}.
   *
   * @return the events to publish
   * @throws IllegalArgumentException when there is no such incident or the lifecycle forbids it
   */
  public List<CloudEvent> move(String id, String status, String by, Instant at) {
    Incident incident = incidents.get(id);
    if (incident == null) {
      throw new IllegalArgumentException("no incident " + id);
    }
    if (!Incident.canMove(incident.status(), status)) {
      throw new IllegalArgumentException(
          "incident "
              + id
              + " is "
              + incident.status()
              + " and cannot become "
              + status
              + " (lifecycle: "
              + String.join(" -> ", Incident.STATUSES)
              + ")");
    }
    incident.move(status, at);
    List<CloudEvent> out = new ArrayList<>();
    out.add(updated(incident, List.of(), by));
    if (status.equals("resolved")) {
      out.add(
          CloudEvent.of(
                  new IncidentResolved(
                      "marked resolved by " + by,
                      by,
                      Duration.between(incident.opened(), at).toMillis() / 1000.0))
              .source(SOURCE)
              .incidentId(id)
              .time(at)
              .build());
    }
    return out;
  }

  private CloudEvent updated(Incident incident, List<String> added, String by) {
    return CloudEvent.of(
            new IncidentUpdated(
                incident.status(), incident.severity(), incident.title(), added, by))
        .source(SOURCE)
        .incidentId(incident.id())
        .time(incident.lastActivity())
        .build();
  }

  private Optional<Incident> correlated(CloudEvent event, Instant at) {
    Incident best = null;
    for (Incident incident : incidents.values()) {
      if (!incident.active()
          || Duration.between(incident.lastActivity(), at).compareTo(rules.correlationWindow())
              > 0) {
        continue;
      }
      boolean sameSubject =
          event.subject() != null && incident.subjects().contains(event.subject());
      boolean sameExperiment =
          event.experimentId() != null && incident.experiments().contains(event.experimentId());
      if (sameSubject || sameExperiment) {
        best = incident;
      }
    }
    return Optional.ofNullable(best);
  }

  private record Trigger(String rule, String title, String severity) {}

  private Optional<Trigger> trigger(CloudEvent event, Instant at) {
    Optional<EventType> type = EventType.of(event.type());
    if (type.isEmpty() || event.data() == null) {
      return Optional.empty();
    }
    String subject = event.subject() == null ? event.source() : event.subject();
    switch (type.get()) {
      case PROBE_MTU_MISMATCH:
        return Optional.of(
            new Trigger(
                "mtu-mismatch",
                "MTU mismatch on "
                    + subject
                    + " (path MTU "
                    + event.data().path("estimatedPathMtu").asInt()
                    + ")",
                "SEV2"));
      case PROBE_FRAME_DROPPED:
        {
          Deque<Instant> bursts = frameBursts.computeIfAbsent(subject, k -> new ArrayDeque<>());
          bursts.addLast(at);
          while (!bursts.isEmpty()
              && Duration.between(bursts.peekFirst(), at).compareTo(rules.frameWindow()) > 0) {
            bursts.removeFirst();
          }
          if (bursts.size() >= rules.frameBursts()) {
            bursts.clear();
            return Optional.of(
                new Trigger(
                    "frame-drops",
                    rules.frameBursts()
                        + " dropped-frame bursts on "
                        + subject
                        + " within "
                        + rules.frameWindow().toSeconds()
                        + " s",
                    "SEV3"));
          }
          return Optional.empty();
        }
      case PROBE_SYSCALL_DENIED:
        {
          String action = event.data().path("action").asText();
          if (!action.startsWith("KILL")) {
            return Optional.empty();
          }
          Deque<Object[]> window = kills.computeIfAbsent(subject, k -> new ArrayDeque<>());
          window.addLast(new Object[] {at, Math.max(1, event.data().path("count").asInt(1))});
          while (!window.isEmpty()
              && Duration.between((Instant) window.peekFirst()[0], at).compareTo(rules.killWindow())
                  > 0) {
            window.removeFirst();
          }
          int total = window.stream().mapToInt(o -> (Integer) o[1]).sum();
          if (total >= rules.killDenials()) {
            window.clear();
            return Optional.of(
                new Trigger(
                    "kill-denials",
                    total
                        + " KILL syscall denials of "
                        + subject
                        + " within "
                        + rules.killWindow().toSeconds()
                        + " s",
                    "SEV2"));
          }
          return Optional.empty();
        }
      case LEASE_REVOKED:
        if ("lessee-crash".equals(event.data().path("reason").asText())) {
          return Optional.of(
              new Trigger(
                  "lease-crash",
                  "lease " + event.data().path("leaseId").asText() + " revoked: lessee crashed",
                  "SEV3"));
        }
        return Optional.empty();
      case CHAOS_EXPERIMENT_DEVIATED:
        return Optional.of(
            new Trigger(
                "experiment-deviated",
                "experiment "
                    + (event.experimentId() == null ? subject : event.experimentId())
                    + " deviated: "
                    + event.data().path("probe").asText(),
                "SEV3"));
      default:
        return Optional.empty();
    }
  }
}
