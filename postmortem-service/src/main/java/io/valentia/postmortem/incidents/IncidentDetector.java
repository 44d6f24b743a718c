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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns signals into incidents with {@link DetectionRules}: a rule that fired ({@link Trigger})
 * opens an incident, or joins the active one it correlates with (same subject or experiment, last
 * activity within the correlation window) and publishes an update; a warning or critical event that
 * correlates joins as evidence without an update event (the incident keeps at most {@link
 * Incident#MAX_EVIDENCE} ids). Status commands ({@link #isCommand}) move incidents along their
 * lifecycle. Emits {@code incident.opened}, {@code incident.updated} and {@code incident.resolved}
 * events.
 *
 * <p>The incidents live in a {@link Book} (the Streams processor's state stores; a map in tests).
 * Not thread-safe: one detector per book, fed from one thread.
 */
public final class IncidentDetector {
  /** The source of the events the detector publishes. */
  public static final String SOURCE = "/postmortem/incidents";

  /**
   * The source of status commands: {@code incident.updated} events that the API publishes on behalf
   * of a person and the detector applies.
   */
  public static final String COMMAND_SOURCE = "/postmortem/incidents/api";

  /** Where the detector finds and keeps incidents. */
  public interface Book {
    /** The incident {@code id}, unless unknown or closed. */
    Optional<Incident> find(String id);

    /**
     * The active incidents that have {@code subject} or {@code experimentId} (either may be null)
     * among theirs; more (inactive, stale) is fine, the detector checks.
     */
    List<Incident> related(String subject, String experimentId);

    /** Keeps {@code incident} as it is now (after every change). */
    void save(Incident incident);
  }

  private final DetectionRules rules;
  private final Book book;

  public IncidentDetector(DetectionRules rules, Book book) {
    this.rules = rules;
    this.book = book;
  }

  /** Whether {@code event} is a status command from the API rather than a detector's event. */
  public static boolean isCommand(CloudEvent event) {
    return EventType.INCIDENT_UPDATED.type().equals(event.type())
        && COMMAND_SOURCE.equals(event.source())
        && event.incidentId() != null
        && event.data() != null;
  }

  /**
   * What {@code event} changes, given the rule it fired (if any): the incident events to publish,
   * in order; empty for none. Incident events themselves are ignored.
   */
  public List<CloudEvent> accept(CloudEvent event, Optional<Trigger> trigger) {
    if (!rules.enabled() || event.type().startsWith("io.valentia.incident.")) {
      return List.of();
    }
    Instant at = event.time() != null ? event.time() : Instant.now();
    Optional<Incident> related = correlated(event, at);
    if (related.isPresent()) {
      Incident incident = related.get();
      if (trigger.isEmpty() && event.severityOrInfo() == Severity.INFO) {
        return List.of();
      }
      incident.join(event.id(), event.subject(), event.experimentId(), at);
      if (trigger.isEmpty()) {
        book.save(incident);
        return List.of(); // joins quietly: a noisy subject must not flood the topic with updates
      }
      incident.raise(trigger.get().severity());
      book.save(incident);
      return List.of(updated(incident, List.of(event.id()), "detector"));
    }
    if (trigger.isEmpty()) {
      return List.of();
    }
    Trigger t = trigger.get();
    Incident incident =
        new Incident("inc-" + EventIds.next(), t.rule(), t.title(), t.severity(), at);
    incident.join(event.id(), event.subject(), event.experimentId(), at);
    book.save(incident);
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
   * Applies a status command ({@link #isCommand}): moves the incident to the command's {@code
   * status} on behalf of its {@code by}, at the command's time. The command is itself the {@code
   * incident.updated} event on the log, so only a resolution adds an event ({@code
   * incident.resolved}).
   *
   * @return the events to publish
   * @throws IllegalArgumentException when there is no such incident or the lifecycle forbids it
   */
  public List<CloudEvent> apply(CloudEvent command) {
    String id = command.incidentId();
    String status = command.data().path("status").asText();
    String by = command.data().path("by").asText("api");
    Instant at = command.time() != null ? command.time() : Instant.now();
    Incident incident =
        book.find(id).orElseThrow(() -> new IllegalArgumentException("no incident " + id));
    Optional<String> refusal = Incident.refusal(id, incident.status(), status);
    if (refusal.isPresent()) {
      throw new IllegalArgumentException(refusal.get());
    }
    incident.move(status, at.isAfter(incident.lastActivity()) ? at : incident.lastActivity());
    book.save(incident);
    if (!status.equals("resolved")) {
      return List.of();
    }
    return List.of(
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

  /**
   * A status command for incident {@code id} as the API publishes it: an {@code incident.updated}
   * event from {@link #COMMAND_SOURCE} with the incident's severity and title as they are.
   */
  public static CloudEvent command(IncidentState current, String status, String by, Instant at) {
    return CloudEvent.of(
            new IncidentUpdated(status, current.severity(), current.title(), List.of(), by))
        .source(COMMAND_SOURCE)
        .incidentId(current.id())
        .time(at)
        .build();
  }

  /**
   * Folds one {@code incident.*} event of the history into {@code incidents} (the migration from a
   * release that kept incidents only as events): {@code incident.opened} creates the incident with
   * its id, rule, title, severity, time, subject, experiment and evidence; {@code incident.updated}
   * sets its status, severity and title and adds its evidence; {@code incident.resolved} resolves
   * it. Other events and events of unknown incidents are ignored. Feed the events in time order.
   */
  public static void restore(Map<String, Incident> incidents, CloudEvent event) {
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

  private CloudEvent updated(Incident incident, List<String> added, String by) {
    return CloudEvent.of(
            new IncidentUpdated(
                incident.status(), incident.severity(), incident.title(), added, by))
        .source(SOURCE)
        .incidentId(incident.id())
        .time(incident.lastActivity())
        .build();
  }

  /** The latest-opened active incident within the window that shares a subject or experiment. */
  private Optional<Incident> correlated(CloudEvent event, Instant at) {
    if (event.subject() == null && event.experimentId() == null) {
      return Optional.empty();
    }
    List<Incident> candidates = new ArrayList<>();
    for (Incident incident : book.related(event.subject(), event.experimentId())) {
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
        candidates.add(incident);
      }
    }
    return candidates.stream()
        .max(Comparator.comparing(Incident::opened).thenComparing(Incident::id));
  }
}
