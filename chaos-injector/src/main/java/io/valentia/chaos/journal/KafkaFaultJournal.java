package io.valentia.chaos.journal;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.ChaosFault;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault journal on {@code valentia.control}: {@code chaos.fault} events keyed {@code fault/ID},
 * written with {@code acks=all} and waited for, so a fault is on Kafka before it touches anything.
 * Blocks the calling thread (a run's thread, never an event loop).
 */
public final class KafkaFaultJournal implements FaultJournal, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaFaultJournal.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String source;

  /**
   * @param source the CloudEvents source of the records, e.g. {@code /chaos/host-1}
   */
  public KafkaFaultJournal(KafkaSettings kafka, String source) {
    Map<String, Object> props = kafka.commonClientProperties("chaos-fault-journal");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.source = source;
  }

  /** The record key of a fault. */
  public static String key(String faultId) {
    return "fault/" + faultId;
  }

  @Override
  public void applying(ChaosFault record) {
    try {
      send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotRecordedException("interrupted while recording " + record.fault(), e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new NotRecordedException(
          "cannot record "
              + record.fault()
              + " on "
              + Topics.CONTROL
              + " before applying it: "
              + cause.getMessage(),
          cause);
    }
  }

  @Override
  public void settled(ChaosFault record) {
    try {
      send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "fault {} ({}) is {} but that could not be recorded: {}",
          record.faultId(),
          record.fault(),
          record.state(),
          e.toString());
    }
  }

  private java.util.concurrent.Future<?> send(ChaosFault record) {
    var event = CloudEvent.of(record).source(source).subject(key(record.faultId()));
    if (record.runId() != null) {
      event.experimentId(record.runId());
    }
    return producer.send(
        new ProducerRecord<>(
            Topics.CONTROL,
            key(record.faultId()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            EventCodec.instance().encode(event.build())));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(2));
  }
}
