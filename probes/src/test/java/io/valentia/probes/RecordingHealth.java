package io.valentia.probes;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.ServiceStatus;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A health registry that keeps what was raised and reported, for tests to look at. */
public final class RecordingHealth implements HealthRegistry {
  public final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
  public final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();

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
