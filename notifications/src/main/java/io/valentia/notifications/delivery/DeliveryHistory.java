package io.valentia.notifications.delivery;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.notifications.alert.Notification;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbox}'s delivery history: each step is appended to {@link Topics#NOTIFICATIONS} as a
 * {@value DeliveryRecord#EVENT_TYPE} event keyed by the group key, and the latest {@value
 * Outbox#RECENT} are kept in memory for {@link #recent(int)}. Thread-safe.
 */
final class DeliveryHistory {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final KafkaEventPublisher publisher;
  private final Deque<DeliveryRecord> recent = new ArrayDeque<>(); // guarded by itself

  DeliveryHistory(KafkaEventPublisher publisher) {
    this.publisher = publisher;
  }

  /** One step of {@code n} at {@code integration}. */
  static DeliveryRecord step(
      Notification n,
      String integration,
      DeliveryRecord.Outcome outcome,
      int attempt,
      Integer status,
      String error,
      Instant at,
      Instant next) {
    return new DeliveryRecord(
        n.id(), n.receiver(), integration, n.groupKey(), outcome, attempt, status, error, at, next);
  }

  /** One step of {@code p} at its integration. */
  static DeliveryRecord step(
      PendingDelivery p,
      DeliveryRecord.Outcome outcome,
      int attempt,
      Integer status,
      String error,
      Instant at,
      Instant next) {
    return step(p.notification(), p.integration(), outcome, attempt, status, error, at, next);
  }

  /** Keeps the steps of the deliveries restored at a start, in time order, without appending. */
  void restore(Collection<DeliveryRecord> steps) {
    List<DeliveryRecord> sorted =
        steps.stream().sorted(Comparator.comparing(DeliveryRecord::at)).toList();
    synchronized (recent) {
      sorted.forEach(recent::addFirst);
      trim();
    }
  }

  /** Keeps {@code step} and appends it to the history topic; a failure there is only logged. */
  void append(DeliveryRecord step) {
    synchronized (recent) {
      recent.addFirst(step);
      trim();
    }
    CloudEvent event =
        CloudEvent.builder(DeliveryRecord.EVENT_TYPE)
            .source(DeliveryRecord.SOURCE)
            .time(step.at())
            .subject(step.integration())
            .data(EventCodec.MAPPER.valueToTree(step))
            .build();
    publisher
        .send(
            new ProducerRecord<>(
                Topics.NOTIFICATIONS,
                step.groupKey().getBytes(StandardCharsets.UTF_8),
                EventCodec.instance().encode(event)))
        .onFailure(
            e ->
                LOG.warn(
                    "could not append {} of {} to the history: {}",
                    step.outcome(),
                    step.notificationId(),
                    e.toString()));
  }

  /** The latest steps, newest first, at most {@code max} (and {@value Outbox#RECENT}). */
  List<DeliveryRecord> recent(int max) {
    synchronized (recent) {
      return recent.stream().limit(Math.max(0, max)).toList();
    }
  }

  private void trim() {
    while (recent.size() > Outbox.RECENT) {
      recent.removeLast();
    }
  }
}
