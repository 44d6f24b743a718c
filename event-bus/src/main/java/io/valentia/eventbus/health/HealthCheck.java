package io.valentia.eventbus.health;

import java.util.List;

/**
 * One raised health check, as in {@code ceph health detail}.
 *
 * @param severity {@code HEALTH_WARN} or {@code HEALTH_ERR}
 * @param summary one line for people
 * @param detail detail lines; empty when none
 */
public record HealthCheck(String severity, String summary, List<String> detail) {
  public HealthCheck {
    detail = List.copyOf(detail);
  }
}
