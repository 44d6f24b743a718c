package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * An incident was resolved.
 *
 * @param resolution what resolved it
 * @param by who or what resolved it
 * @param durationSeconds time from opening to resolution
 */
public record IncidentResolved(String resolution, String by, double durationSeconds)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.INCIDENT_RESOLVED;
  }
}
