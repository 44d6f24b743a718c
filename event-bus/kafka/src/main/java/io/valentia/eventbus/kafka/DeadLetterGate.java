package io.valentia.eventbus.kafka;

import io.valentia.eventbus.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The one consumer group that dead-letters invalid records. Every other subscriber skips them, so a
 * bad record lands in {@link Topics#DEADLETTER} once, however many services read its topic. Run it
 * in every Valentia process: the group shares the work, and a record is dead-lettered as soon as
 * any process is up.
 */
public final class DeadLetterGate {
  /** The gate's consumer group. */
  public static final String GROUP = "valentia.deadletter-gate";

  /** The topics whose records must be CloudEvents. */
  public static final String[] TOPICS = {
    Topics.EVENTS, Topics.CONTROL, Topics.POSTMORTEMS, Topics.NOTIFICATIONS
  };

  private DeadLetterGate() {}

  /** Starts the gate on the caller's context. */
  public static KafkaEventSubscriber start(
      Vertx vertx, KafkaSettings settings, KafkaEventPublisher deadLetters) {
    return KafkaEventSubscriber.start(
        vertx,
        settings,
        KafkaEventSubscriber.Options.of(GROUP, TOPICS).withDeadLetterInvalid(true),
        event -> Future.succeededFuture(),
        deadLetters);
  }
}
