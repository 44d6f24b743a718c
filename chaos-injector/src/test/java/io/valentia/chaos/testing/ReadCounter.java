package io.valentia.chaos.testing;

import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts the records every Kafka consumer of {@link #settings()} fetches, by topic: what a test
 * asks to know which topics a piece of code reads, and how much of them. Installed as a client
 * interceptor on every client of those settings (producers pass their records through unchanged).
 */
public final class ReadCounter
    implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {
  private static final Map<String, LongAdder> FETCHED = new ConcurrentHashMap<>();

  /** The shared test Kafka, with every consumer's records counted. */
  public static KafkaSettings settings() {
    KafkaSettings base = KafkaTestSupport.settings();
    return new KafkaSettings(
        base.bootstrapServers(),
        base.clientId() + "-counted",
        base.replicationFactor(),
        base.partitions(),
        base.compression(),
        Map.of("interceptor.classes", ReadCounter.class.getName()));
  }

  /** Records fetched from {@code topic} since the last {@link #reset()}. */
  public static long fetched(String topic) {
    LongAdder n = FETCHED.get(topic);
    return n == null ? 0 : n.sum();
  }

  public static void reset() {
    FETCHED.clear();
  }

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      FETCHED.computeIfAbsent(tp.topic(), t -> new LongAdder()).add(records.records(tp).size());
    }
    return records;
  }

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
