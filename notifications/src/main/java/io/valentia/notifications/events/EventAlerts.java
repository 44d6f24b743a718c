package io.valentia.notifications.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
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
 *
 * <p>The alerts of each kind of event are built by {@code IncidentAlerts}, {@code ChaosAlerts},
 * {@code HealthAlerts}, {@code PostmortemAlerts} and {@code PrometheusAlerts}; what fires for each
 * entity is kept by {@code FiringAlerts}, the common labels and links come from {@code
 * AlertLabels}.
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

  private final FiringAlerts firing = new FiringAlerts();
  private final IncidentAlerts incidents;
  private final ChaosAlerts chaos;
  private final HealthAlerts health;
  private final PostmortemAlerts postmortems;

  /**
   * @param externalUrl the web UI's address, for the links in the alerts
   */
  public EventAlerts(URI externalUrl) {
    AlertLabels labels = new AlertLabels(externalUrl);
    this.incidents = new IncidentAlerts(firing, labels);
    this.chaos = new ChaosAlerts(firing, labels);
    this.health = new HealthAlerts(firing, labels);
    this.postmortems = new PostmortemAlerts(firing, labels);
  }

  /**
   * Takes back what was firing before a restart (the alerts of the dispatcher's groups), so that an
   * update resolves the right alert.
   */
  public void restore(Collection<Alert> alerts) {
    firing.restore(alerts);
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
      case INCIDENT_OPENED -> incidents.opened(event, payload(event, IncidentOpened.class), at);
      case INCIDENT_UPDATED -> incidents.updated(event, payload(event, IncidentUpdated.class), at);
      case INCIDENT_RESOLVED -> incidents.resolved(event, at);
      case CHAOS_EXPERIMENT_STARTED ->
          chaos.started(event, payload(event, ExperimentStarted.class), at);
      case CHAOS_EXPERIMENT_DEVIATED ->
          chaos.deviated(event, payload(event, ExperimentDeviated.class), at);
      case CHAOS_EXPERIMENT_ABORTED ->
          chaos.aborted(event, payload(event, ExperimentAborted.class), at);
      case CHAOS_EXPERIMENT_COMPLETED -> chaos.completed(event, at);
      case CHAOS_EXPERIMENT_ROLLEDBACK ->
          chaos.rolledBack(event, payload(event, ExperimentRolledBack.class), at);
      case CHAOS_HALT -> chaos.halt(event, payload(event, ChaosHalt.class), at);
      case HEALTH_CHANGED -> health.changed(event, payload(event, HealthChanged.class), at);
      case POSTMORTEM_REVISED ->
          postmortems.revised(event, payload(event, PostmortemRevised.class), at);
      case ALERT -> PrometheusAlerts.of(event, payload(event, PrometheusAlert.class), at);
      default -> List.of();
    };
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
