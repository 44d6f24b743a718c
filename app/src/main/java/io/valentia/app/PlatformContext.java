package io.valentia.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.broker.RestartableBroker;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.security.PlatformKey;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.BrokerControl;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a service of this process is given to start: the {@link ServiceContext} of the platform. */
record PlatformContext(
    Vertx vertx,
    KafkaSettings kafka,
    KafkaEventPublisher publisher,
    Path dataDir,
    JsonNode config,
    Map<String, String> environment,
    HealthRegistry health,
    StateTables stateTables,
    ApiRoutes api,
    PrintStream console,
    RestartableBroker broker,
    List<ValentiaService> elsewhere,
    Optional<String> replica,
    PlatformKey platformKey)
    implements ServiceContext {
  @Override
  public Optional<BrokerControl> brokerControl() {
    return Optional.ofNullable(broker);
  }
}
