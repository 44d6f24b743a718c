package io.valentia.app;

import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.DeadLetterGate;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaEventSubscriber;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The part every process runs: the dead-letter gate, and the health and mute tables (built from the
 * old history once, then read from their state topics) that {@code /health} folds.
 */
final class EventBusCore extends VerticleBase {
  private final KafkaSettings settings;
  private final KafkaEventPublisher publisher;
  private final PlatformHealth health;
  private final StateMigration migration;
  private KafkaEventSubscriber gate;

  EventBusCore(
      KafkaSettings settings,
      KafkaEventPublisher publisher,
      PlatformHealth health,
      StateMigration migration) {
    this.settings = settings;
    this.publisher = publisher;
    this.health = health;
    this.migration = migration;
  }

  @Override
  public Future<?> start() {
    gate = DeadLetterGate.start(vertx, settings, publisher);
    return vertx
        .executeBlocking(
            () -> {
              health.restore(migration);
              return null;
            })
        .onSuccess(
            v ->
                health.service(
                    Platform.EVENT_BUS_SERVICE,
                    ServiceStatus.running("dead-letter gate, health and mute tables")));
  }

  @Override
  public Future<?> stop() {
    return gate.close();
  }
}
