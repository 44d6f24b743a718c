package io.valentia.notifications.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where the future of {@link Outbox#enqueue} completes. {@code NotificationsVerticle.tick} chains
 * {@code outbox.enqueue(n)} and then {@code persistGroups()} with {@code compose}, and resets its
 * {@code flushing} flag and its {@code flushed} list in {@code onComplete}: all of that touches
 * state of the verticle's own context (its {@code changed} map, which {@code onEvent} fills at the
 * same time), so it must run there. When the outbox completes the future on its own context, those
 * continuations run on the outbox's event-loop thread, concurrently with {@code onEvent}: at 1,000
 * incident events per second the notification latency benchmark logs "notifications not recorded,
 * tried again: java.util.ConcurrentModificationException" and the receiver gets hundreds of
 * notifications twice (the whole batch is enqueued again, including notifications the outbox has
 * already delivered and forgotten).
 */
@DisplayName("The outbox's enqueue future, as the pipeline verticle uses it")
class OutboxContextIT {
  private static Vertx vertx;
  private static KafkaSettings kafka;
  private static KafkaEventPublisher publisher;

  @BeforeAll
  static void startKafka() {
    vertx = Vertx.vertx();
    kafka = KafkaTestSupport.settings();
    publisher = new KafkaEventPublisher(vertx, kafka, "outbox-context-it");
  }

  @AfterAll
  static void stopAll() throws Exception {
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "A caller on its own Vert.x context goes on, after enqueue completes, on that same context")
  void enqueueCompletesOnTheCallersContext() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    FakeReceiver receiver = new FakeReceiver(vertx);
    StateTables tables = new StateTables(kafka);
    SimulatedTime time = new SimulatedTime(Instant.now());
    ReceiverConfig config =
        new ReceiverConfig(
            "context-" + run,
            List.of(),
            List.of(),
            List.of(),
            List.of(new ReceiverConfig.Webhook(receiver.url("/context"), true, 0, null, null)));
    // created from this thread, as NotificationsService creates it: the outbox gets a context of
    // its own
    Outbox outbox =
        new Outbox(
            vertx,
            tables,
            publisher,
            List.of(config),
            URI.create("https://valentia.example"),
            DeliverySettings.defaults(),
            new RecordingHealth(),
            time);
    try {
      outbox.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      // the pipeline verticle's context
      Context caller = vertx.getOrCreateContext();
      CompletableFuture<Context> continuedOn = new CompletableFuture<>();
      caller.runOnContext(
          v ->
              outbox
                  .enqueue(notification("context-" + run, config.name(), time.now()))
                  .onComplete(ar -> continuedOn.complete(Vertx.currentContext())));

      assertThat(continuedOn.get(60, TimeUnit.SECONDS))
          .as("the context the caller's continuation runs on")
          .isSameAs(caller);
    } finally {
      outbox.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      tables.close();
      receiver.close();
    }
  }

  private static Notification notification(String id, String receiverName, Instant now) {
    Alert alert =
        new Alert(
            Map.of("type", "io.valentia.incident.opened.v1", "severity", "warning", "seq", id),
            Map.of("summary", "Alert " + id),
            now,
            null,
            null);
    return new Notification(
        id, receiverName, "{}:{}", Map.of(), List.of(alert), now.plus(Duration.ZERO));
  }
}
