package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every {@code incident.*} event on {@code valentia.events}, from the beginning to the end
 * the topic had when called, so a restarted detector can take its incidents back. Blocking: call it
 * from a worker. Records of other types are skipped without being decoded.
 */
public final class IncidentLog {
  private static final byte[] MARK = "io.valentia.incident.".getBytes(StandardCharsets.UTF_8);

  private IncidentLog() {}

  /**
   * The incident events on the log, in log order per partition (one incident's events share a
   * partition only when they share a key; callers apply them in time order).
   *
   * @throws ValentiaException when the topic cannot be read to its end within {@code timeout}
   */
  public static List<CloudEvent> read(KafkaSettings kafka, Duration timeout) {
    Map<String, Object> props = kafka.commonClientProperties("incident-replay");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    List<CloudEvent> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(15));
      if (infos == null || infos.isEmpty()) {
        throw new ValentiaException("topic " + Topics.EVENTS + " does not exist");
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(i -> partitions.add(new TopicPartition(Topics.EVENTS, i.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new ValentiaException(
              "could not read the incidents on " + Topics.EVENTS + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() == null || indexOf(record.value(), MARK) < 0) {
            continue;
          }
          try {
            CloudEvent event = EventCodec.instance().decode(record.value());
            if (event.type().startsWith("io.valentia.incident.")) {
              events.add(event);
            }
          } catch (InvalidEventException e) {
            // the dead-letter gate reports it; it is no incident of ours
          }
        }
      }
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
    events.sort((a, b) -> a.time() == null || b.time() == null ? 0 : a.time().compareTo(b.time()));
    return events;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
