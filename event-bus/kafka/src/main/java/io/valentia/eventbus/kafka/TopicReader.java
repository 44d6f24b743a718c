package io.valentia.eventbus.kafka;

import io.valentia.eventbus.ValentiaException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic from positions the caller chooses, with no consumer group: the
 * one way Valentia's modules read a topic by position (the indexer from the offsets in its Lucene
 * commit, the live stream from a cursor or a time, {@code tail}, the event-query probes over a time
 * window, a migration from the beginning). Following a topic from a group's committed offsets is
 * {@link KafkaEventSubscriber}; a compacted state topic read into memory is {@link StateTable}.
 *
 * <p>Partitions are numbered as in Kafka; offsets are the position of the next record to read.
 * Blocking and not thread-safe: use it from one thread, except {@link #wakeup()}, which any thread
 * may call to end a {@link #poll} at once (the poll then returns no records).
 */
public final class TopicReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;

  private TopicReader(String topic, KafkaConsumer<byte[], byte[]> consumer) {
    this.topic = topic;
    this.consumer = consumer;
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    } catch (RuntimeException e) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
      throw new ValentiaException.RetriableException(
          "could not read the partitions of " + topic + ": " + e.getMessage(), e);
    }
    if (infos == null || infos.isEmpty()) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
      throw new ValentiaException("topic " + topic + " does not exist");
    }
    List<TopicPartition> all = new ArrayList<>();
    infos.forEach(i -> all.add(new TopicPartition(topic, i.partition())));
    all.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
    this.partitions = List.copyOf(all);
    consumer.assign(partitions);
  }

  /**
   * Opens a reader of every partition of {@code topic}, positioned at the end (only records written
   * from now on), until the caller seeks elsewhere.
   *
   * @param role names the client, e.g. {@code indexer}
   * @throws ValentiaException when the topic does not exist or Kafka does not answer
   */
  public static TopicReader open(KafkaSettings settings, String role, String topic) {
    return open(settings, role, topic, Map.of());
  }

  /**
   * Like {@link #open(KafkaSettings, String, String)} with extra consumer properties (e.g. {@code
   * max.poll.records}, {@code fetch.min.bytes}).
   */
  public static TopicReader open(
      KafkaSettings settings, String role, String topic, Map<String, Object> properties) {
    Map<String, Object> props = settings.commonClientProperties(role);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Kafka Streams writes incident events and state in transactions: never read an aborted one
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.putAll(properties);
    TopicReader reader =
        new TopicReader(
            topic,
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    reader.seekToEnd();
    return reader;
  }

  public String topic() {
    return topic;
  }

  /** The partition numbers, in order. */
  public List<Integer> partitions() {
    return partitions.stream().map(TopicPartition::partition).toList();
  }

  /** The first offset still on the log, by partition. */
  public Map<Integer, Long> beginningOffsets() {
    return byNumber(consumer.beginningOffsets(partitions, METADATA_TIMEOUT));
  }

  /** The offset the next record written will get, by partition. */
  public Map<Integer, Long> endOffsets() {
    return byNumber(consumer.endOffsets(partitions, METADATA_TIMEOUT));
  }

  /** Where the next {@link #poll} reads, by partition. */
  public Map<Integer, Long> positions() {
    Map<Integer, Long> out = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp.partition(), consumer.position(tp, METADATA_TIMEOUT));
    }
    return out;
  }

  /** Reads every partition from its first record still on the log. */
  public void seekToBeginning() {
    consumer.seekToBeginning(partitions);
  }

  /** Reads only what is written from now on. */
  public void seekToEnd() {
    consumer.seekToEnd(partitions);
  }

  /**
   * Reads each partition named in {@code offsets} from its offset; partitions not named stay where
   * they are. An empty map changes nothing (unlike Kafka's own seek methods, where an empty
   * collection means every partition).
   */
  public void seek(Map<Integer, Long> offsets) {
    for (Map.Entry<Integer, Long> entry : offsets.entrySet()) {
      TopicPartition tp = partition(entry.getKey());
      if (tp != null) {
        consumer.seek(tp, entry.getValue());
      }
    }
  }

  /** Reads the partitions in {@code numbers} from their beginning; an empty set changes nothing. */
  public void seekToBeginning(Collection<Integer> numbers) {
    List<TopicPartition> chosen = chosen(numbers);
    if (!chosen.isEmpty()) {
      consumer.seekToBeginning(chosen);
    }
  }

  /**
   * Reads every partition from its first record with a timestamp at or after {@code time}; a
   * partition with none reads from its end.
   */
  public void seekToTime(Instant time) {
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
    Map<TopicPartition, OffsetAndTimestamp> found =
        consumer.offsetsForTimes(query, METADATA_TIMEOUT);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, METADATA_TIMEOUT);
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp at = found.get(tp);
      consumer.seek(tp, at != null ? at.offset() : ends.get(tp));
    }
  }

  /**
   * The next records, in offset order within each partition; empty when none arrived within {@code
   * timeout} or {@link #wakeup()} was called.
   */
  public List<LogRecord> poll(Duration timeout) {
    List<LogRecord> out = new ArrayList<>();
    try {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        out.add(toLogRecord(r));
      }
    } catch (WakeupException e) {
      // wakeup() asked this poll to end
    }
    return out;
  }

  /**
   * Records between the position and the end of the log, summed over the partitions, as known from
   * the last fetch (no request to Kafka); empty until every partition was fetched once. Like every
   * method here, for the thread that polls.
   */
  public java.util.OptionalLong lag() {
    long total = 0;
    for (TopicPartition tp : partitions) {
      java.util.OptionalLong lag = consumer.currentLag(tp);
      if (lag.isEmpty()) {
        return java.util.OptionalLong.empty();
      }
      total += lag.getAsLong();
    }
    return java.util.OptionalLong.of(total);
  }

  /** Whether every partition's position has reached {@code ends} (as from {@link #endOffsets}). */
  public boolean reached(Map<Integer, Long> ends) {
    for (TopicPartition tp : partitions) {
      Long end = ends.get(tp.partition());
      if (end != null && consumer.position(tp, METADATA_TIMEOUT) < end) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads from the current positions up to the end offsets the topic had when called, handing each
   * record to {@code handler}; records written meanwhile are left for later.
   *
   * @param keep which records to hand over (others are skipped)
   * @param progress told every few seconds of the records read so far and the records to read in
   *     all; may be null
   * @param timeout how long it may take in all
   * @return how many records were read (kept or not)
   * @throws ValentiaException when the end is not reached within {@code timeout}
   */
  public long readToEnd(
      Predicate<LogRecord> keep, Consumer<LogRecord> handler, Progress progress, Duration timeout) {
    Map<Integer, Long> ends = endOffsets();
    Map<Integer, Long> start = positions();
    long total = 0;
    for (Map.Entry<Integer, Long> e : ends.entrySet()) {
      total += Math.max(0, e.getValue() - start.getOrDefault(e.getKey(), 0L));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    long read = 0;
    long lastReport = System.nanoTime();
    while (!reached(ends)) {
      if (System.nanoTime() > deadline) {
        throw new ValentiaException(
            "could not read "
                + topic
                + " to its end within "
                + timeout
                + " ("
                + read
                + " of "
                + total
                + " records)");
      }
      for (LogRecord record : poll(Duration.ofMillis(200))) {
        Long end = ends.get(record.partition());
        if (end == null || record.offset() >= end) {
          continue; // written after the call: left for the next reader
        }
        read++;
        if (keep.test(record)) {
          handler.accept(record);
        }
      }
      if (progress != null && System.nanoTime() - lastReport > Progress.INTERVAL.toNanos()) {
        progress.report(read, total);
        lastReport = System.nanoTime();
      }
    }
    if (progress != null) {
      progress.report(read, total);
    }
    return read;
  }

  /** Ends a {@link #poll} in progress at once; safe from any thread. */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    try {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    } catch (RuntimeException e) {
      LOG.debug("closing the reader of {}: {}", topic, e.toString());
    }
  }

  /** Told how far a long read has come. */
  @FunctionalInterface
  public interface Progress {
    /** How often {@link TopicReader#readToEnd} reports. */
    Duration INTERVAL = Duration.ofSeconds(3);

    void report(long read, long total);
  }

  private TopicPartition partition(int number) {
    for (TopicPartition tp : partitions) {
      if (tp.partition() == number) {
        return tp;
      }
    }
    return null;
  }

  private List<TopicPartition> chosen(Collection<Integer> numbers) {
    List<TopicPartition> out = new ArrayList<>();
    for (Integer n : numbers) {
      TopicPartition tp = partition(n);
      if (tp != null) {
        out.add(tp);
      }
    }
    return out;
  }

  private static Map<Integer, Long> byNumber(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> out = new LinkedHashMap<>();
    offsets.entrySet().stream()
        .sorted((a, b) -> Integer.compare(a.getKey().partition(), b.getKey().partition()))
        .forEach(e -> out.put(e.getKey().partition(), e.getValue()));
    return out;
  }

  static LogRecord toLogRecord(ConsumerRecord<byte[], byte[]> r) {
    Map<String, byte[]> headers = Map.of();
    if (r.headers() != null) {
      Header[] all = r.headers().toArray();
      if (all.length > 0) {
        headers = new HashMap<>();
        for (Header h : all) {
          headers.put(h.key(), h.value());
        }
      }
    }
    return new LogRecord(
        r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), headers);
  }
}
