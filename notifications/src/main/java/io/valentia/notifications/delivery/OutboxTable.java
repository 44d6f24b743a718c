package io.valentia.notifications.delivery;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbox}'s pending deliveries in {@link Topics#STATE_OUTBOX}, by {@link
 * PendingDelivery#key()}. A write that only keeps the table up to date (a failed attempt, a
 * removal) is not waited for: when it fails, it is logged and the delivery may be sent again after
 * a restart, which the at-least-once contract allows.
 */
final class OutboxTable {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final StateTables tables;
  private StateTable<PendingDelivery> table;

  /** The table in {@code tables}, not opened yet. */
  OutboxTable(StateTables tables) {
    this.tables = tables;
  }

  /** Opens the table; see {@link #restored()}. */
  void open() {
    table = tables.open(Topics.STATE_OUTBOX, PendingDelivery.class);
  }

  /** Completes once the table holds what the topic held when it was opened. */
  CompletionStage<Void> restored() {
    return table.restored();
  }

  /** Every pending delivery, by key. */
  Map<String, PendingDelivery> snapshot() {
    return table.snapshot();
  }

  boolean contains(String key) {
    return table.get(key).isPresent();
  }

  /** Records a new delivery; completes once it is durable. */
  CompletionStage<Void> add(PendingDelivery p) {
    return table.put(p.key(), p);
  }

  /** Records a failed attempt of a delivery, without waiting. */
  void update(PendingDelivery p) {
    table
        .put(p.key(), p)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn(
                    "could not record the failed attempt at {}: {}", p.integration(), e.toString());
              }
            });
  }

  /** Removes a delivery that was delivered or given up, without waiting. */
  void remove(PendingDelivery p) {
    table
        .remove(p.key())
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn(
                    "could not remove {} from the outbox; it may be sent again after a restart: {}",
                    p.key(),
                    e.toString());
              }
            });
  }
}
