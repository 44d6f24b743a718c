package io.valentia.eventbus.health;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.payload.HealthChanged;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A publisher that keeps {@link Topics#STATE_HEALTH} current for the {@code health.changed} events
 * it publishes: the one way a check is raised or cleared. The event goes to the log (history and
 * audit, as before) and the source's part of the check goes to the state table under {@code
 * CHECK|source} (a tombstone when the source clears it), which is what {@code /health} shows after
 * any restart. Every other event is just published.
 *
 * <p>Never blocks the caller; thread-safe as the publisher and table it wraps.
 */
public final class HealthStatePublisher implements EventPublisher {
  private final EventPublisher publisher;
  private final StateTable<RaisedCheck> table;

  /**
   * @param publisher where the events go
   * @param table the health state table ({@link Topics#STATE_HEALTH})
   */
  public HealthStatePublisher(EventPublisher publisher, StateTable<RaisedCheck> table) {
    this.publisher = publisher;
    this.table = table;
  }

  /** Wraps {@code publisher}, writing to this process's health table. */
  public static HealthStatePublisher of(EventPublisher publisher, StateTables tables) {
    return new HealthStatePublisher(publisher, tables.open(Topics.STATE_HEALTH, RaisedCheck.class));
  }

  /**
   * Publishes {@code event}; for a {@code health.changed} event, also writes the state of its
   * source's part of the check.
   *
   * @return the event's position, once both the event and the state are on Kafka
   */
  @Override
  public Future<RecordPosition> publish(String topic, String key, CloudEvent event) {
    if (!EventType.HEALTH_CHANGED.type().equals(event.type())) {
      return publisher.publish(topic, key, event);
    }
    HealthChanged change;
    try {
      change = EventCodec.MAPPER.treeToValue(event.data(), HealthChanged.class);
    } catch (Exception e) {
      return Future.failedFuture(
          new InvalidEventException(
              InvalidEventException.Reason.SCHEMA_INVALID, "not a health.changed payload: " + e));
    }
    if (change == null || change.check() == null || event.source() == null) {
      return publisher.publish(topic, key, event); // the publisher reports what is wrong
    }
    Instant at = event.time() != null ? event.time() : Instant.now();
    Future<RecordPosition> published = publisher.publish(topic, key, event);
    Future<Void> written = Future.fromCompletionStage(write(event.source(), change, at));
    return Future.all(published, written).map(v -> published.result());
  }

  private CompletableFuture<Void> write(String source, HealthChanged change, Instant at) {
    String key = RaisedCheck.key(change.check(), source);
    return table
        .restored()
        .thenCompose(
            v -> {
              RaisedCheck before = table.get(key).orElse(null);
              RaisedCheck after = RaisedCheck.after(before, source, change, at);
              if (after == null) {
                return before == null
                    ? CompletableFuture.<Void>completedFuture(null)
                    : table.remove(key);
              }
              return table.put(key, after);
            });
  }
}
