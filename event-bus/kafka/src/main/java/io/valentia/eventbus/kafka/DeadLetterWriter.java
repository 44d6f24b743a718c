package io.valentia.eventbus.kafka;

import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.InvalidEventException.Reason;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a subscriber's rejected records to {@link Topics#DEADLETTER}: the original key, value and
 * headers byte for byte, plus the {@link DeadLetters} headers saying why, from where and when. A
 * dead letter is never dropped: it is retried until it is stored or the subscriber stops.
 */
final class DeadLetterWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

  private final Vertx vertx;
  private final KafkaEventPublisher publisher;
  private final String groupId;
  private final KafkaEventSubscriber.Stats stats;
  private final BooleanSupplier running;

  /**
   * @param publisher the publisher dead letters are sent with
   * @param groupId the group that rejects the records
   * @param running whether the subscriber still runs (a stopped one gives up retrying)
   */
  DeadLetterWriter(
      Vertx vertx,
      KafkaEventPublisher publisher,
      String groupId,
      KafkaEventSubscriber.Stats stats,
      BooleanSupplier running) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.groupId = groupId;
    this.stats = stats;
    this.running = running;
  }

  /** Dead-letters {@code record}; completes once the dead letter is stored. */
  Future<Void> write(ConsumerRecord<byte[], byte[]> record, Reason reason, String error) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      headers.add(header);
    }
    header(headers, DeadLetters.REASON, reason.value());
    header(headers, DeadLetters.ERROR, error);
    header(headers, DeadLetters.TOPIC, record.topic());
    header(headers, DeadLetters.PARTITION, Integer.toString(record.partition()));
    header(headers, DeadLetters.OFFSET, Long.toString(record.offset()));
    header(headers, DeadLetters.GROUP, groupId);
    header(headers, DeadLetters.TIME, Instant.now().toString());
    ProducerRecord<byte[], byte[]> letter =
        new ProducerRecord<>(Topics.DEADLETTER, null, record.key(), record.value(), headers);
    return send(letter, 1)
        .map(
            position -> {
              stats.deadLettered.incrementAndGet();
              PlatformMeters.deadLettered(reason.value(), record.topic());
              return (Void) null;
            });
  }

  private Future<RecordPosition> send(ProducerRecord<byte[], byte[]> letter, int attempt) {
    return publisher
        .send(letter)
        .recover(
            error -> {
              if (!running.getAsBoolean()) {
                return Future.failedFuture(error);
              }
              LOG.warn(
                  "group {}: dead letter not stored (attempt {}), retrying: {}",
                  groupId,
                  attempt,
                  error.toString());
              return vertx
                  .timer(Math.min(5000, 200L * attempt))
                  .compose(t -> send(letter, attempt + 1));
            });
  }

  private static void header(RecordHeaders headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
