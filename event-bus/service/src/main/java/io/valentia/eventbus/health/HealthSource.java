package io.valentia.eventbus.health;

import io.vertx.core.Future;

/**
 * Computes the current {@link HealthReport}. Implementations must not block the caller (an event
 * loop): slow work (asking Kafka) runs elsewhere or is cached.
 */
@FunctionalInterface
public interface HealthSource {
  Future<HealthReport> report();
}
