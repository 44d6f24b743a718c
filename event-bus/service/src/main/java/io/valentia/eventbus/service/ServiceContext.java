package io.valentia.eventbus.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.security.PlatformKey;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a {@link ValentiaService} gets from the process that runs it. */
public interface ServiceContext {

  Vertx vertx();

  /** How to reach Kafka; the topics exist and are writable. */
  KafkaSettings kafka();

  /** The process's shared publisher (also the dead-letter publisher of its subscribers). */
  KafkaEventPublisher publisher();

  /**
   * The process's state tables ({@code valentia.state.*}): open the ones the service reads or owns
   * here, so that {@code /health} shows their restore progress.
   */
  StateTables stateTables();

  /** This service's own directory ({@code DATA/<role>}), created on demand by the service. */
  Path dataDir();

  /** This service's configuration section; a missing node when there is none. */
  JsonNode config();

  /** The process environment. */
  Map<String, String> environment();

  /** Where the service reports its state and raises health checks. */
  HealthRegistry health();

  /** API routes of this process, served under {@code /api/v1} by the web service. */
  ApiRoutes api();

  /** For the few lines a person starting the platform must see (not for logging). */
  PrintStream console();

  /**
   * The services of this build that this process does not run: their roles run in other processes
   * (or nowhere), and the {@code web} role forwards their {@link ValentiaService#apiPaths()} there.
   * Empty when the process runs every role.
   */
  default List<ValentiaService> elsewhere() {
    return List.of();
  }

  /**
   * The name of this process among several running the same roles ({@code --replica}), e.g. {@code
   * pm-2}; empty when it is the only one. A service that keeps a copy of its own (an index) names
   * its Kafka clients and its health report with it.
   */
  default Optional<String> replica() {
    return Optional.empty();
  }

  /**
   * The Kafka broker this process runs itself, to stop and start (the chaos injector's {@code
   * kafka-outage}); empty when the platform uses an external cluster.
   */
  default Optional<BrokerControl> brokerControl() {
    return Optional.empty();
  }

  /**
   * The platform's signing key. The platform gives every service the one of its data directory
   * ({@code DATA/secrets/platform.key}), shared by the processes on that directory; by default a
   * key of this service's own directory, made when missing.
   */
  default PlatformKey platformKey() {
    return PlatformKey.loadOrCreate(dataDir());
  }
}
