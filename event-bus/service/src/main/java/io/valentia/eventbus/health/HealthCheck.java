package io.valentia.eventbus.health;

import java.util.List;

/**
 * One raised health check, as in {@code ceph health detail}.
 *
 * @param severity {@code HEALTH_WARN} or {@code HEALTH_ERR}
 * @param summary one line for people
 * @param detail detail lines; empty when none
 * @param muted whether someone muted it: shown, but not counted in the overall status
 */
public record HealthCheck(String severity, String summary, List<String> detail, boolean muted) {
  public HealthCheck {
    detail = List.copyOf(detail);
  }

  /** A check that is not muted. */
  public HealthCheck(String severity, String summary, List<String> detail) {
    this(severity, summary, detail, false);
  }

  /** This check, muted. */
  public HealthCheck mute() {
    return new HealthCheck(severity, summary, detail, true);
  }
}
