package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.List;

/**
 * An incident changed: its lifecycle status, severity or title, or new evidence joined it.
 *
 * @param status {@code open}, {@code mitigated}, {@code resolved}, {@code in-review} or {@code
 *     closed}
 * @param severity {@code SEV1} to {@code SEV4}
 * @param title the title
 * @param addedEvidence ids of events that joined the incident with this update; empty when none
 * @param by who or what made the change
 */
public record IncidentUpdated(
    String status, String severity, String title, List<String> addedEvidence, String by)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.INCIDENT_UPDATED;
  }
}
