package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.List;

/**
 * A detection rule opened an incident. The incident id is the event's {@code incidentid}.
 *
 * @param title a short title
 * @param severity {@code SEV1} (worst) to {@code SEV4}
 * @param rule the detection rule that fired
 * @param evidence ids of the events that triggered it
 */
public record IncidentOpened(String title, String severity, String rule, List<String> evidence)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.INCIDENT_OPENED;
  }
}
