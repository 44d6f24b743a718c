package io.valentia.postmortem.index;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.eventbus.metrics.PlatformMeters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads topics into an {@link EventIndex} on a dedicated thread, exactly once: through a {@link
 * TopicReader} per topic (no consumer group), every partition is read from the offset stored in the
 * index's last commit, and only a partition the commit does not name (a new index, a partition
 * added since) from its beginning; documents are upserted by their key, and offsets are committed
 * with the documents. Killed at any point, a restart re-reads only what the index did not commit,
 * and re-reading an event replaces its document, so nothing is lost or duplicated.
 *
 * <p>The polling thread only reads: each poll's records are queued by partition, and {@code
 * indexingThreads} lanes parse and upsert them into the one IndexWriter, each partition's records
 * in order and on one lane at a time, any lane taking whichever partition has records waiting. The
 * lanes never wait for each other: a lane that finishes a batch takes the next one at once. After
 * each batch its lane records the partition's next offset; a commit stores the offsets recorded
 * before it began, so it never carries an offset whose record it does not hold (it may hold later
 * records too, which a restart reads again and replaces). The polling thread stops reading while
 * {@code 4 × max.poll.records} records per lane wait, so memory stays bounded when Lucene is the
 * slower side. Searches see new records within {@code refreshInterval} (a timer thread refreshes;
 * while more than half of that many records wait, every {@code 8 × refreshInterval} only); records
 * become durable every {@code commitInterval} and at {@link #close()}, which first lets the batches
 * in progress finish (batches still queued are read again at the next start). A record that is not
 * a valid event is counted, logged and skipped: it is checked as the dead-letter gate checks it
 * (envelope, known type, data against the type's JSON Schema), so the index holds exactly the
 * records that are not on {@code valentia.deadletter}.
 *
 * <p>Longer than most classes on purpose: it is one concurrency protocol. The polling thread, the
 * lanes, the refresh timer and the commit share the queue's capacity, the offsets recorded per
 * partition and the stopping and failure flags, and the guarantees above (no offset committed
 * before its record, memory bounded, queued batches dropped on a stop and read again) hold only
 * across all of them; split into classes, each would have to expose that state to the others.
 */
public final class KafkaIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIndexer.class);

  private static final int POLL_RECORDS = 5_000;

  private final EventIndex index;
  private final RecordMapper mapper;
  private final List<String> topics;
  private final Settings settings;
  private final KafkaSettings kafka;
  private final String clientRole;

  /** Per topic: records on the log not read yet, as the last poll knew it (for /metrics). */
  private final Map<String, Long> lag = new ConcurrentHashMap<>();

  private final List<TopicReader> readers = new CopyOnWriteArrayList<>();
  private final ExecutorService lanes;
  private final ScheduledExecutorService refresher;
  private final Map<TopicPartition, PartitionQueue> queues = new HashMap<>();
  private final Semaphore capacity;
  private final int capacityRecords;
  private final Map<TopicPartition, Long> indexedUpTo = new ConcurrentHashMap<>();
  private final AtomicLong progress = new AtomicLong();
  private final AtomicLong indexed = new AtomicLong();
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private volatile boolean running;
  private volatile boolean stopping;
  private long lastRefresh = System.nanoTime(); // on the refresh thread only
  private Thread thread;
  private long committedProgress;

  /**
   * How often the indexer makes records searchable and durable, and how many threads index.
   *
   * @param refreshInterval at most this long from reading a record to its being searchable
   * @param commitInterval at most this long between commits of documents and offsets
   * @param indexingThreads how many threads parse and index at once (besides the polling thread), 1
   *     to 16
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

    /**
     * How often the indexer refreshes while it is behind: eight refresh intervals (2 s by default).
     * Each refresh flushes a small segment that merges copy again; measured on 2 cores, refreshing
     * every 1 s instead while 1M events waited cost about a tenth of the catch-up rate.
     */
    public Duration catchUpRefreshInterval() {
      return refreshInterval.multipliedBy(8);
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
   * @param name a name for the Kafka client id and the thread
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
    this.kafka = kafka;
    this.clientRole = "indexer-" + name;
    String threadName = "valentia-indexer-" + name;
    this.lanes =
        Executors.newFixedThreadPool(
            settings.indexingThreads(), daemonThreads(threadName + "-lane"));
    this.capacityRecords = 4 * POLL_RECORDS * settings.indexingThreads();
    this.capacity = new Semaphore(capacityRecords);
    this.refresher = Executors.newSingleThreadScheduledExecutor(daemonThreads(threadName + "-nrt"));
    PlatformMeters.track(
        PlatformMeters.INDEXER_LAG,
        this.lag,
        byTopic -> byTopic.values().stream().mapToLong(Long::longValue).sum());
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Opens a reader of each topic and seeks every partition to the index's committed offset; only
   * partitions the commit does not name read from their beginning (none on a restart: an empty set
   * seeks nothing).
   */
  private void openReaders() {
    Map<TopicPartition, Long> committed = index.committedOffsets();
    for (String topic : topics) {
      TopicReader reader =
          TopicReader.open(kafka, clientRole, topic, Map.of("max.poll.records", POLL_RECORDS));
      synchronized (this) {
        if (stopping) {
          reader.close();
          return; // closed while opening
        }
        readers.add(reader);
      }
      Map<Integer, Long> resume = new LinkedHashMap<>();
      List<Integer> fresh = new ArrayList<>();
      for (int partition : reader.partitions()) {
        Long offset = committed.get(new TopicPartition(topic, partition));
        if (offset == null) {
          fresh.add(partition);
        } else {
          resume.put(partition, offset);
        }
      }
      reader.seek(resume);
      reader.seekToBeginning(fresh);
    }
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
      openReaders();
      long interval = settings.refreshInterval().toMillis();
      refresher.scheduleWithFixedDelay(
          this::refreshIfDirty, interval, interval, TimeUnit.MILLISECONDS);
      long lastCommit = System.nanoTime();
      while (running && failure.get() == null) {
        pollOnce(Duration.ofMillis(100));
        long now = System.nanoTime();
        if (now - lastCommit >= settings.commitInterval().toNanos()) {
          commit();
          lastCommit = now;
        }
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
      LOG.error("indexer of {} stopped", topics, e);
    }
    stopping = true; // queued batches are dropped: the next start reads them again
    try {
      if (!awaitLanesIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(30))) {
        failure.compareAndSet(null, new IOException("indexing did not finish within 30 s"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
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

  /**
   * Refreshes when something was indexed since the last refresh; while the lanes are behind (more
   * than half their capacity queued), only every {@link Settings#catchUpRefreshInterval()}: records
   * that wait in the queue are not searchable within a refresh interval anyway, and each refresh
   * writes a small segment that merges must copy again.
   */
  private void refreshIfDirty() {
    try {
      long now = System.nanoTime();
      boolean behind = capacity.availablePermits() < capacityRecords / 2;
      if (behind && now - lastRefresh < settings.catchUpRefreshInterval().toNanos()) {
        return;
      }
      if (dirty.getAndSet(false)) {
        index.refresh();
        lastRefresh = now;
      }
    } catch (IOException | RuntimeException e) {
      failure.compareAndSet(null, e);
      LOG.error("indexer of {} could not refresh its searchers", topics, e);
    }
  }

  /**
   * Polls once and queues the records by partition; first waits until the queue has room for a full
   * poll, so that memory stays bounded while the lanes are behind. With several topics, each reader
   * polls for its share of {@code timeout}.
   */
  private void pollOnce(Duration timeout) throws InterruptedException {
    Duration share = timeout.dividedBy(Math.max(1, readers.size()));
    for (TopicReader reader : readers) {
      if (!awaitCapacity(POLL_RECORDS)) {
        return;
      }
      capacity.release(POLL_RECORDS);
      List<LogRecord> records = reader.poll(share);
      fetched.addAndGet(records.size());
      reader.lag().ifPresent(behind -> lag.put(reader.topic(), behind));
      for (Map.Entry<TopicPartition, List<LogRecord>> entry : byPartition(records).entrySet()) {
        List<LogRecord> batch = entry.getValue();
        if (!awaitCapacity(batch.size())) {
          return; // stopping or failed: what was not queued is read again after a restart
        }
        PartitionQueue queue = queues.computeIfAbsent(entry.getKey(), PartitionQueue::new);
        queue.batches.add(batch);
        queue.schedule();
      }
    }
  }

  /** The records of each partition, in the order read. */
  private static Map<TopicPartition, List<LogRecord>> byPartition(List<LogRecord> records) {
    Map<TopicPartition, List<LogRecord>> out = new LinkedHashMap<>();
    for (LogRecord r : records) {
      out.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>())
          .add(r);
    }
    return out;
  }

  /** Takes {@code records} permits; false when the indexer stops or fails while it waits. */
  private boolean awaitCapacity(int records) throws InterruptedException {
    while (!capacity.tryAcquire(records, 100, TimeUnit.MILLISECONDS)) {
      if (stopping || failure.get() != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until every queued batch is indexed (or, once stopping, dropped).
   *
   * @return false when {@code deadline} (a {@link System#nanoTime()}) passes first
   */
  private boolean awaitLanesIdle(long deadline) throws InterruptedException {
    while (!capacity.tryAcquire(capacityRecords, 50, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
    }
    capacity.release(capacityRecords);
    return true;
  }

  /** A partition's batches waiting to be indexed; on at most one lane at a time. */
  private final class PartitionQueue {
    private final TopicPartition tp;
    private final Queue<List<LogRecord>> batches = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    PartitionQueue(TopicPartition tp) {
      this.tp = tp;
    }

    /** Hands the partition to a lane unless one has it already. */
    void schedule() {
      if (!batches.isEmpty() && scheduled.compareAndSet(false, true)) {
        lanes.execute(this::indexNextBatch);
      }
    }

    /**
     * Indexes one batch, then gives the lane back (another partition's batch may be waiting) and
     * schedules the partition again if more of it is queued.
     */
    private void indexNextBatch() {
      List<LogRecord> batch = batches.poll();
      try {
        if (batch != null && !stopping && failure.get() == null) {
          indexAll(batch);
          indexedUpTo.put(tp, batch.get(batch.size() - 1).offset() + 1);
          progress.incrementAndGet();
        }
      } catch (Throwable e) {
        // the offsets of this batch are not recorded: a restart reads it again
        if (failure.compareAndSet(null, e)) {
          LOG.error("indexer of {} stopped", topics, e);
        }
      } finally {
        if (batch != null) {
          capacity.release(batch.size());
        }
        scheduled.set(false);
        if (stopping || failure.get() != null) {
          drop();
        } else {
          schedule();
        }
      }
    }

    /** Releases what is still queued without indexing it. */
    private void drop() {
      List<LogRecord> batch;
      while ((batch = batches.poll()) != null) {
        capacity.release(batch.size());
      }
    }
  }

  private void indexAll(List<LogRecord> batch) throws IOException {
    EventCodec codec = EventCodec.instance();
    for (LogRecord record : batch) {
      index(codec, record);
    }
  }

  private void index(EventCodec codec, LogRecord record) throws IOException {
    CloudEvent event;
    try {
      // the dead-letter gate's own check: envelope and data against the type's schema, so that the
      // index holds exactly the events that passed the contract (an unknown Valentia type or data
      // its schema rejects is dead-lettered, and must not be found by a search)
      event = codec.decode(record.value());
    } catch (InvalidEventException e) {
      invalid.incrementAndGet();
      LOG.warn(
          "{}-{}@{} is not a valid event ({}), not indexed: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.reason().value(),
          e.getMessage());
      return;
    }
    Optional<IndexedRecord> doc =
        mapper.map(event, record.value(), Instant.ofEpochMilli(record.timestamp()));
    if (doc.isPresent()) {
      index.upsert(doc.get().key(), doc.get().document());
      indexed.incrementAndGet();
      if (!dirty.get()) { // a read, not a write, per record: the lanes share this flag
        dirty.set(true);
      }
    }
  }

  private static void shutdown(ExecutorService executor) {
    executor.shutdown();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Commits the offsets the lanes recorded so far, with (at least) their documents. */
  private void commit() throws IOException {
    long upTo = progress.get();
    if (upTo != committedProgress) {
      index.commit(Map.copyOf(indexedUpTo));
      committedProgress = upTo;
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
      openReaders();
      List<Map<Integer, Long>> ends = readers.stream().map(TopicReader::endOffsets).toList();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reachedAll(ends)) {
        if (System.nanoTime() > deadline) {
          throw timedOut(timeout);
        }
        pollOnce(Duration.ofMillis(200));
        throwIfFailed();
      }
      if (!awaitLanesIdle(deadline)) {
        throw timedOut(timeout);
      }
      throwIfFailed();
      commit();
      index.refresh();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while reading " + topics);
    }
  }

  private boolean reachedAll(List<Map<Integer, Long>> ends) {
    for (int i = 0; i < readers.size(); i++) {
      if (!readers.get(i).reached(ends.get(i))) {
        return false;
      }
    }
    return true;
  }

  private ValentiaException timedOut(Duration timeout) {
    return new ValentiaException(
        "could not read " + topics + " to its end within " + timeout.toSeconds() + " s");
  }

  private void throwIfFailed() throws IOException {
    Throwable cause = failure.get();
    if (cause instanceof IOException io) {
      throw io;
    }
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    if (cause != null) {
      throw new IOException(cause);
    }
  }

  /** Events indexed since this indexer started (re-reads included). */
  public long indexedCount() {
    return indexed.get();
  }

  /**
   * Records fetched from Kafka since this indexer started, valid or not: after a clean restart,
   * only the records written since the last commit.
   */
  public long fetchedCount() {
    return fetched.get();
  }

  /** Records skipped because they were not valid events. */
  public long invalidCount() {
    return invalid.get();
  }

  /** Why the indexer stopped on its own; empty while it runs. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Stops reading, commits what was indexed, and closes the readers. */
  @Override
  public void close() {
    Thread running;
    List<TopicReader> open;
    synchronized (this) {
      running = thread;
      this.running = false;
      stopping = true; // queued batches are dropped: the next start reads them again
      open = List.copyOf(readers);
    }
    if (running != null) {
      open.forEach(TopicReader::wakeup);
      try {
        running.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    shutdown(refresher);
    shutdown(lanes);
    PlatformMeters.untrack(PlatformMeters.INDEXER_LAG, lag);
    synchronized (this) {
      readers.forEach(TopicReader::close);
      readers.clear();
    }
  }
}
