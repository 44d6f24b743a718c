package io.valentia.eventbus.kafka;

import io.valentia.eventbus.ReceivedEvent;
import io.vertx.core.Future;

/**
 * Handles valid events from a subscription, one at a time in offset order per partition, on the
 * subscriber's Vert.x context. The record's offset is committed only after the returned future
 * succeeds; a failed future is retried and then dead-lettered. Handlers must be idempotent on the
 * event id: after a crash or rebalance an event may arrive again.
 */
@FunctionalInterface
public interface EventHandler {
  Future<Void> handle(ReceivedEvent event);
}
