package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.List;

/**
 * A named health check was raised, changed or cleared, as in {@code ceph health detail}.
 *
 * @param check the check's name, e.g. {@code MTU_MISMATCH}
 * @param status {@code HEALTH_OK} (cleared), {@code HEALTH_WARN} or {@code HEALTH_ERR}
 * @param summary one line for people
 * @param detail detail lines; empty when none
 * @param count how many things the check counts (peers, OSD pairs); 0 when cleared
 */
public record HealthChanged(
    String check, String status, String summary, List<String> detail, int count)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.HEALTH_CHANGED;
  }
}
