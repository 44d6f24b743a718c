package io.valentia.notifications.delivery;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.ServiceStatus;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A health registry that keeps what was raised, for tests to look at. */
final class RecordingHealth implements HealthRegistry {
  final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
  final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();

  @Override
  public void service(String name, ServiceStatus status) {
    services.put(name, status);
  }

  @Override
  public void raise(String name, HealthCheck check) {
    checks.put(name, check);
  }

  @Override
  public void clear(String name) {
    checks.remove(name);
  }

  @Override
  public Future<HealthReport> report() {
    return Future.succeededFuture(HealthReport.of(Map.copyOf(checks), Map.copyOf(services), null));
  }
}
