package io.valentia.notifications.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a notification the {@link Outbox} gave up to {@link Topics#DEADLETTER}: the reason and the
 * delivery with its whole history, keyed by the group key, with the {@link DeadLetters} headers and
 * {@value Outbox#NOTIFICATION_ID_HEADER} and {@value Outbox#INTEGRATION_HEADER}.
 */
final class OutboxDeadLetters {
  private final KafkaEventPublisher publisher;

  OutboxDeadLetters(KafkaEventPublisher publisher) {
    this.publisher = publisher;
  }

  /**
   * @param step the {@code given-up} step, whose error is the reason
   * @return completes once Kafka took the dead letter
   */
  Future<Void> write(PendingDelivery p, DeliveryRecord step) {
    ObjectNode value = EventCodec.MAPPER.createObjectNode();
    value.put("reason", step.error());
    value.set(
        "delivery",
        EventCodec.MAPPER.valueToTree(
            new PendingDelivery(
                p.notification(),
                p.integration(),
                p.recordedAt(),
                p.sequence(),
                step.attempt(),
                null,
                step.error(),
                p.append(step))));
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            Topics.DEADLETTER,
            p.notification().groupKey().getBytes(StandardCharsets.UTF_8),
            value.toString().getBytes(StandardCharsets.UTF_8));
    header(record, DeadLetters.REASON, InvalidEventException.Reason.HANDLER_FAILED.value());
    header(record, DeadLetters.ERROR, step.error());
    header(record, DeadLetters.TOPIC, Topics.NOTIFICATIONS);
    header(record, DeadLetters.GROUP, Outbox.DEAD_LETTER_GROUP);
    header(record, DeadLetters.TIME, step.at().toString());
    header(record, Outbox.NOTIFICATION_ID_HEADER, p.notification().id());
    header(record, Outbox.INTEGRATION_HEADER, p.integration());
    return publisher.send(record).mapEmpty();
  }

  private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
    record.headers().add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
  }
}
