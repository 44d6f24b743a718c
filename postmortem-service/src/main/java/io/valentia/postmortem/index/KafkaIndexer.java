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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>One thread polls rounds of records (one poll, then what more is ready, until every lane has
 * work); each round is split by partition over {@code indexingThreads} lanes (the polling thread is
 * one of them) that parse and upsert in parallel into the one IndexWriter, each partition in order
 * on one lane. Offsets advance only when every lane of a round is done, and commits happen between
 * rounds, so a commit never carries an offset whose record is not in it. Searches see new records
 * within {@code refreshInterval} (a timer thread refreshes, so indexing goes on meanwhile); records
 * become durable every {@code commitInterval} and at {@link #close()}. A record that is not a valid
 * event is counted, logged and skipped (the publishers' dead-letter gate reports it on {@code
 * valentia.deadletter}).
 */
public final class KafkaIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIndexer.class);

  private static final int POLL_RECORDS = 5_000;

  private final EventIndex index;
  private final RecordMapper mapper;
  private final List<String> topics;
  private final Settings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ExecutorService lanes;
  private final ScheduledExecutorService refresher;
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private final AtomicLong indexed = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private volatile boolean running;
  private Thread thread;
  private boolean uncommitted;

  /**
   * How often the indexer makes records searchable and durable, and how many threads index.
   *
   * @param refreshInterval at most this long from reading a record to its being searchable
   * @param commitInterval at most this long between commits of documents and offsets
   * @param indexingThreads how many threads parse and index at once (the polling thread included),
   *     1 to 16
   */
  public record Settings(Duration refreshInterval, Duration commitInterval, int indexingThreads) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofMillis(250), Duration.ofSeconds(5));

    public Settings {
      if (indexingThreads < 1 || indexingThreads > 16) {
        throw new IllegalArgumentException(
            "indexingThreads must be 1 to 16, found " + indexingThreads);
      }
    }

    /** These intervals with one indexing thread per core, at most four. */
    public Settings(Duration refreshInterval, Duration commitInterval) {
      this(
          refreshInterval,
          commitInterval,
          Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    }
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
    // large polls keep the lanes busy; a partition's share of a round stays in order on one lane
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, POLL_RECORDS);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    String threadName = "valentia-indexer-" + name;
    this.lanes =
        settings.indexingThreads() > 1
            ? Executors.newFixedThreadPool(
                settings.indexingThreads() - 1, daemonThreads(threadName + "-lane"))
            : null;
    this.refresher = Executors.newSingleThreadScheduledExecutor(daemonThreads(threadName + "-nrt"));
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
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
      long interval = settings.refreshInterval().toMillis();
      refresher.scheduleWithFixedDelay(
          this::refreshIfDirty, interval, interval, TimeUnit.MILLISECONDS);
      long lastCommit = System.nanoTime();
      while (running && failure.get() == null) {
        pollOnce(Duration.ofMillis(100));
        long now = System.nanoTime();
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
    shutdown(refresher);
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

  private void refreshIfDirty() {
    try {
      if (dirty.getAndSet(false)) {
        index.refresh();
      }
    } catch (IOException | RuntimeException e) {
      failure.compareAndSet(null, e);
      LOG.error("indexer of {} could not refresh its searchers", topics, e);
    }
  }

  private void pollOnce(Duration timeout) throws IOException {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> round = readRound(timeout);
    if (round.isEmpty()) {
      return;
    }
    List<List<List<ConsumerRecord<byte[], byte[]>>>> byLane = splitIntoLanes(round);
    List<Future<?>> others = new ArrayList<>(byLane.size() - 1);
    for (int lane = 1; lane < byLane.size(); lane++) {
      List<List<ConsumerRecord<byte[], byte[]>>> partitions = byLane.get(lane);
      others.add(
          lanes.submit(
              () -> {
                indexAll(partitions);
                return null;
              }));
    }
    IOException firstFailure = null;
    try {
      indexAll(byLane.get(0));
    } catch (IOException e) {
      firstFailure = e;
    }
    for (Future<?> other : others) {
      try {
        awaitUninterruptibly(other);
      } catch (ExecutionException e) {
        if (firstFailure == null) {
          firstFailure = asIoException(e.getCause());
        }
      }
    }
    if (firstFailure != null) {
      throw firstFailure; // offsets stay behind: what this round read is read again after restart
    }
    round.forEach((tp, records) -> next.put(tp, records.get(records.size() - 1).offset() + 1));
    uncommitted = true;
  }

  /**
   * Reads one round of records: a poll, then as many more as are ready at once, until the round has
   * a partition for every lane and a full poll's worth of records per lane. A single poll often
   * holds one partition only (the consumer hands out one partition's fetch at a time).
   */
  private Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> readRound(Duration timeout) {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> round = new LinkedHashMap<>();
    int count = 0;
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    while (!records.isEmpty()) {
      for (TopicPartition tp : records.partitions()) {
        round.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(records.records(tp));
      }
      count += records.count();
      int lanes = settings.indexingThreads();
      if (lanes == 1 || (round.size() >= lanes && count >= lanes * POLL_RECORDS)) {
        break;
      }
      records = consumer.poll(Duration.ZERO);
    }
    return round;
  }

  /** Each partition's records go to one lane; lanes get about as many records each. */
  private List<List<List<ConsumerRecord<byte[], byte[]>>>> splitIntoLanes(
      Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> round) {
    int laneCount = Math.min(settings.indexingThreads(), round.size());
    List<List<List<ConsumerRecord<byte[], byte[]>>>> byLane = new ArrayList<>(laneCount);
    int[] load = new int[laneCount];
    for (int i = 0; i < laneCount; i++) {
      byLane.add(new ArrayList<>());
    }
    List<List<ConsumerRecord<byte[], byte[]>>> partitions = new ArrayList<>(round.values());
    partitions.sort(Comparator.comparingInt(List::size));
    for (int i = partitions.size() - 1; i >= 0; i--) {
      int lightest = 0;
      for (int lane = 1; lane < laneCount; lane++) {
        if (load[lane] < load[lightest]) {
          lightest = lane;
        }
      }
      byLane.get(lightest).add(partitions.get(i));
      load[lightest] += partitions.get(i).size();
    }
    return byLane;
  }

  private void indexAll(List<List<ConsumerRecord<byte[], byte[]>>> partitions) throws IOException {
    EventCodec codec = EventCodec.instance();
    for (List<ConsumerRecord<byte[], byte[]>> partition : partitions) {
      for (ConsumerRecord<byte[], byte[]> record : partition) {
        index(codec, record);
      }
    }
  }

  private void index(EventCodec codec, ConsumerRecord<byte[], byte[]> record) throws IOException {
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
      return;
    }
    Optional<IndexedRecord> doc =
        mapper.map(event, record.value(), Instant.ofEpochMilli(record.timestamp()));
    if (doc.isPresent()) {
      index.upsert(doc.get().key(), doc.get().document());
      indexed.incrementAndGet();
      dirty.set(true);
    }
  }

  private static void awaitUninterruptibly(Future<?> future) throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          future.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static IOException asIoException(Throwable cause) {
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new IOException(cause);
  }

  private static void shutdown(ExecutorService executor) {
    if (executor == null) {
      return;
    }
    executor.shutdown();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
    shutdown(refresher);
    shutdown(lanes);
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
  }
}
