package io.valentia.eventbus.kafka;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@link EventPublisher} on an idempotent Kafka producer ({@code acks=all}, compression, batching).
 *
 * <p>{@link KafkaProducer#send} can block (fetching metadata, a full buffer), so sends run on one
 * dedicated thread, which also keeps their order; results complete on the caller's Vert.x context.
 * Thread-safe. Start it only once the topics are writable ({@link TopicProvisioner}).
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {
  private final Vertx vertx;
  private final EventCodec codec = EventCodec.instance();
  private final KafkaProducer<byte[], byte[]> producer;
  private final ExecutorService sender;

  public KafkaEventPublisher(Vertx vertx, KafkaSettings settings) {
    this(vertx, settings, "publisher");
  }

  public KafkaEventPublisher(Vertx vertx, KafkaSettings settings, String role) {
    this.vertx = vertx;
    Map<String, Object> props = settings.commonClientProperties(role);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.sender =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "valentia-kafka-" + role);
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public Future<RecordPosition> publish(String topic, String key, CloudEvent event) {
    try {
      codec.validateData(event);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    return send(new ProducerRecord<>(topic, keyBytes, codec.encode(event)));
  }

  /**
   * Sends a record as it is, without validation: for dead letters, whose value is by definition not
   * a valid event.
   */
  public Future<RecordPosition> send(ProducerRecord<byte[], byte[]> record) {
    Context context = vertx.getOrCreateContext();
    Promise<RecordPosition> promise = Promise.promise();
    try {
      sender.execute(
          () -> {
            try {
              producer.send(
                  record,
                  (metadata, error) ->
                      context.runOnContext(
                          v -> {
                            if (error != null) {
                              promise.fail(error);
                            } else {
                              PlatformMeters.published(metadata.topic());
                              promise.complete(
                                  new RecordPosition(
                                      metadata.topic(), metadata.partition(), metadata.offset()));
                            }
                          }));
            } catch (RuntimeException e) {
              context.runOnContext(v -> promise.fail(e));
            }
          });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new IllegalStateException("the publisher is closed", e));
    }
    return promise.future();
  }

  /** Sends everything buffered; blocking. */
  public void flush() {
    producer.flush();
  }

  /** Sends what is buffered (waiting up to 10 s) and closes the producer; blocking. */
  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
  }
}
