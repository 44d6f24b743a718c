package io.valentia.postmortem.index;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads topics into an {@link EventIndex} on a dedicated thread, exactly once: no consumer group;
 * every partition is assigned and read from the offsets stored in the index's last commit (from the
 * beginning for a new index); documents are upserted by their key, and offsets are committed with
 * the documents. Killed at any point, a restart re-reads only what the index did not commit, and
 * re-reading an event replaces its document, so nothing is lost or duplicated.
 *
 * <p>Searches see new records within {@code refreshInterval}; records become durable every {@code
 * commitInterval} and at {@link #close()}. A record that is not a valid event is counted, logged
 * and skipped (the publishers' dead-letter gate reports it on {@code valentia.deadletter}).
 */
public final class KafkaIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIndexer.class);

  private final EventIndex index;
  private final RecordMapper mapper;
  private final List<String> topics;
  private final Settings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private final AtomicLong indexed = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running;
  private Thread thread;
  private boolean dirty;
  private boolean uncommitted;

  /**
   * How often the indexer makes records searchable and durable.
   *
   * @param refreshInterval at most this long from reading a record to its being searchable
   * @param commitInterval at most this long between commits of documents and offsets
   */
  public record Settings(Duration refreshInterval, Duration commitInterval) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofMillis(250), Duration.ofSeconds(5));
  }

  /**
   * @param name a name for the consumer's client id and the thread
   */
  public KafkaIndexer(
      String name,
      KafkaSettings kafka,
      List<String> topics,
      EventIndex index,
      RecordMapper mapper,
      Settings settings) {
    this.index = index;
    this.mapper = mapper;
    this.topics = List.copyOf(topics);
    this.settings = settings;
    Map<String, Object> props = kafka.commonClientProperties("indexer-" + name);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Assigns every partition and seeks to the index's committed offsets. */
  private void assign() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
      if (infos == null || infos.isEmpty()) {
        throw new ValentiaException("topic " + topic + " does not exist");
      }
      infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> committed = index.committedOffsets();
    List<TopicPartition> fresh = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Long offset = committed.get(tp);
      if (offset == null) {
        fresh.add(tp);
      } else {
        consumer.seek(tp, offset);
        next.put(tp, offset);
      }
    }
    consumer.seekToBeginning(fresh);
  }

  /** Starts reading on the indexer's own thread; returns at once. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread = new Thread(this::run, "valentia-indexer-" + String.join(",", topics));
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      assign();
      long lastRefresh = System.nanoTime();
      long lastCommit = System.nanoTime();
      while (running) {
        pollOnce(Duration.ofMillis(100));
        long now = System.nanoTime();
        if (dirty && now - lastRefresh >= settings.refreshInterval().toNanos()) {
          index.refresh();
          dirty = false;
          lastRefresh = now;
        }
        if (uncommitted && now - lastCommit >= settings.commitInterval().toNanos()) {
          commit();
          lastCommit = now;
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (Throwable e) {
      failure.set(e);
      LOG.error("indexer of {} stopped", topics, e);
    }
    try {
      if (failure.get() == null) {
        commit();
        index.refresh();
      }
    } catch (IOException | RuntimeException e) {
      failure.compareAndSet(null, e);
      LOG.error("indexer of {} could not commit on close", topics, e);
    }
  }

  private void pollOnce(Duration timeout) throws IOException {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    EventCodec codec = EventCodec.instance();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      next.put(tp, record.offset() + 1);
      uncommitted = true;
      CloudEvent event;
      try {
        event = codec.decodeEnvelope(record.value());
      } catch (InvalidEventException e) {
        invalid.incrementAndGet();
        LOG.warn(
            "{}-{}@{} is not a valid event, not indexed: {}",
            record.topic(),
            record.partition(),
            record.offset(),
            e.getMessage());
        continue;
      }
      Optional<IndexedRecord> doc =
          mapper.map(event, record.value(), Instant.ofEpochMilli(record.timestamp()));
      if (doc.isPresent()) {
        index.upsert(doc.get().key(), doc.get().document());
        indexed.incrementAndGet();
        dirty = true;
      }
    }
  }

  private void commit() throws IOException {
    if (uncommitted) {
      index.commit(next);
      uncommitted = false;
    }
  }

  /**
   * Reads on the calling thread until every partition reaches the end it had when called, then
   * commits and refreshes. For rebuilding an index; do not mix with {@link #start()}.
   *
   * @throws ValentiaException when {@code timeout} passes first
   */
  public void catchUp(Duration timeout) {
    try {
      assign();
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new ValentiaException(
              "could not read " + topics + " to its end within " + timeout.toSeconds() + " s");
        }
        pollOnce(Duration.ofMillis(200));
      }
      commit();
      index.refresh();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Events indexed since this indexer started (re-reads included). */
  public long indexedCount() {
    return indexed.get();
  }

  /** Records skipped because they were not valid events. */
  public long invalidCount() {
    return invalid.get();
  }

  /** Why the indexer stopped on its own; empty while it runs. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Stops reading, commits what was indexed, and closes the consumer. */
  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      running = thread;
      this.running = false;
    }
    if (running != null) {
      consumer.wakeup();
      try {
        running.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
  }
}
