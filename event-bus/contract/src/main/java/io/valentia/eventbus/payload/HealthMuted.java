package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * A health check was muted or unmuted, as {@code ceph health mute} does: a muted check is still
 * shown but does not count towards the overall status.
 *
 * @param check the check's name, e.g. {@code MTU_MISMATCH}
 * @param muted true to mute, false to unmute
 * @param until when the mute ends by itself; null for no end (until unmuted)
 * @param sticky whether the mute survives the check clearing; a mute that is not sticky also ends
 *     when the check's count grows (things got worse)
 * @param by who asked
 */
public record HealthMuted(String check, boolean muted, Instant until, boolean sticky, String by)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.HEALTH_MUTED;
  }
}
