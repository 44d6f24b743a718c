package io.valentia.eventbus.testing;

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
 * What a process gives a service, for tests that start one service on the shared Kafka: the parts
 * are real (Vert.x, publisher, state tables, API routes); the health registry records what the
 * service reports so the test can read it.
 */
public record TestServiceContext(
    Vertx vertx,
    KafkaSettings kafka,
    KafkaEventPublisher publisher,
    Path dataDir,
    JsonNode config,
    Map<String, String> environment,
    RecordingHealth health,
    StateTables stateTables,
    ApiRoutes api,
    PrintStream console)
    implements ServiceContext {

  /** A context on the shared test Kafka with its own publisher, tables and API routes. */
  public static TestServiceContext create(Vertx vertx, String role, Path dataDir, JsonNode config) {
    KafkaSettings kafka = KafkaTestSupport.settings();
    return new TestServiceContext(
        vertx,
        kafka,
        new KafkaEventPublisher(vertx, kafka, role),
        dataDir,
        config,
        Map.of(),
        new RecordingHealth(),
        new StateTables(kafka),
        new ApiRoutes(),
        System.out);
  }

  /** Closes the publisher and the state tables (Vert.x is the test's to close). */
  public void close() {
    publisher.close();
    stateTables.close();
  }

  /** A health registry that keeps what services report, for assertions. */
  public static final class RecordingHealth implements HealthRegistry {
    private final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();

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

    /** The checks raised now. */
    public Map<String, HealthCheck> checks() {
      return Map.copyOf(checks);
    }

    /** The services' states. */
    public Map<String, ServiceStatus> services() {
      return Map.copyOf(services);
    }

    @Override
    public Future<HealthReport> report() {
      return Future.succeededFuture(
          HealthReport.of(checks, services, new KafkaStatus("test", false, true, Map.of())));
    }
  }
}
