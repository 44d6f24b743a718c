package io.valentia.eventbus.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventType;

/**
 * A mutation someone made: who, what, when (the event's time) and from where.
 *
 * @param actor the authenticated principal (token name or user)
 * @param role the actor's role
 * @param action what was done, e.g. {@code experiment.run}, {@code halt}, {@code token.create}
 * @param target what it was done to; null when nothing specific
 * @param outcome {@code success}, {@code denied} or {@code failure}
 * @param remoteAddress where the request came from; null for local commands
 * @param details anything more; null when none
 */
public record Audit(
    String actor,
    String role,
    String action,
    String target,
    String outcome,
    String remoteAddress,
    JsonNode details)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.AUDIT;
  }
}
