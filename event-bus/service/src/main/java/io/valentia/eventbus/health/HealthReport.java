package io.valentia.eventbus.health;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The platform's health in the spirit of {@code ceph -s}: an overall status, the named checks that
 * make it so, the services of this process and the Kafka cluster. Serialized as the body of {@code
 * GET /health}.
 *
 * @param status {@code HEALTH_OK}, {@code HEALTH_WARN} or {@code HEALTH_ERR}: the worst check that
 *     is not muted
 * @param checks the raised checks by name; empty when healthy
 * @param services this process's services by name
 * @param kafka the Kafka cluster as seen from this process
 */
public record HealthReport(
    String status,
    Map<String, HealthCheck> checks,
    Map<String, ServiceStatus> services,
    KafkaStatus kafka) {

  public static final String OK = "HEALTH_OK";
  public static final String WARN = "HEALTH_WARN";
  public static final String ERR = "HEALTH_ERR";

  public HealthReport {
    checks = Collections.unmodifiableMap(new TreeMap<>(checks));
    services = Collections.unmodifiableMap(new TreeMap<>(services));
  }

  /** A report whose status is the worst severity among the checks that are not muted. */
  public static HealthReport of(
      Map<String, HealthCheck> checks, Map<String, ServiceStatus> services, KafkaStatus kafka) {
    String status = OK;
    for (HealthCheck check : checks.values()) {
      if (!check.muted()) {
        status = worse(status, check.severity());
      }
    }
    return new HealthReport(status, checks, services, kafka);
  }

  /** The worse of two statuses. */
  public static String worse(String a, String b) {
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(String status) {
    return switch (status) {
      case ERR -> 2;
      case WARN -> 1;
      default -> 0;
    };
  }
}
