package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a process gives a service, for a benchmark that starts one service on its own broker: real
 * Vert.x, publisher, state tables and API routes; the health registry keeps what the service
 * reports so the benchmark can print it.
 */
record BenchServiceContext(
    Vertx vertx,
    KafkaSettings kafka,
    KafkaEventPublisher publisher,
    Path dataDir,
    JsonNode config,
    Map<String, String> environment,
    Health health,
    StateTables stateTables,
    ApiRoutes api,
    PrintStream console)
    implements ServiceContext {

  /** A context on {@code kafka} with its own publisher, tables and API routes. */
  static BenchServiceContext create(
      Vertx vertx, KafkaSettings kafka, String role, Path dataDir, JsonNode config) {
    return new BenchServiceContext(
        vertx,
        kafka,
        new KafkaEventPublisher(vertx, kafka, role),
        dataDir,
        config,
        Map.of(),
        new Health(),
        new StateTables(kafka),
        new ApiRoutes(),
        System.err);
  }

  /** Closes the publisher and the state tables (Vert.x is the caller's to close). */
  void close() {
    publisher.close();
    stateTables.close();
  }

  /** A health registry that keeps what services report, and every check ever raised. */
  static final class Health implements HealthRegistry {
    private final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
    private final Map<String, HealthCheck> everRaised = new ConcurrentHashMap<>();

    @Override
    public void service(String name, ServiceStatus status) {
      services.put(name, status);
    }

    @Override
    public void raise(String name, HealthCheck check) {
      checks.put(name, check);
      everRaised.put(name, check);
    }

    @Override
    public void clear(String name) {
      checks.remove(name);
    }

    /** The checks raised now. */
    Map<String, HealthCheck> checks() {
      return Map.copyOf(checks);
    }

    /** Every check raised during the run, the last version of each. */
    Map<String, HealthCheck> everRaised() {
      return Map.copyOf(everRaised);
    }

    @Override
    public Future<HealthReport> report() {
      return Future.succeededFuture(
          HealthReport.of(checks, services, new KafkaStatus("bench", true, true, Map.of())));
    }
  }
}
