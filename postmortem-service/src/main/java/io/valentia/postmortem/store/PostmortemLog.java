package io.valentia.postmortem.store;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.postmortem.index.EventIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code valentia.postmortems} on its own thread: each revision event is decided in log
 * order ({@link PostmortemFold}), a taken revision is stored on disk ({@link RevisionIndex}), its
 * postmortem's document in the postmortems index is replaced, and the new head is written to {@code
 * valentia.state.postmortems}; then the writer waiting for that event is answered.
 *
 * <p>Exactly once, like the events indexer: the offsets read are committed in the revision index's
 * Lucene commit (the postmortems index is committed just before it), and a start resumes from them,
 * so a clean restart reads no record twice and a crash re-reads only records whose documents were
 * not committed, which rewrites the same documents and heads. Conflicts are decided against the
 * heads in the revision index (this process's own fold, always as far as its offsets), never
 * against the state table, which another process may have written further. A head goes to the state
 * table only when it is newer than the one there, so a process that rebuilds its index from the log
 * never moves a head back. The heads of a batch are on Kafka before the commit that holds the
 * batch's offsets.
 *
 * <p>A data directory from a release that kept postmortems in memory has no revision index: its
 * first start runs {@link #migrate} once, which folds the whole log into the revision index and the
 * state table.
 */
public final class PostmortemLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostmortemLog.class);
  private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(5);
  private static final Set<String> REVISIONS = Set.of(EventType.POSTMORTEM_REVISED.type());

  private final KafkaSettings kafka;
  private final EventIndex search;
  private final RevisionIndex revisions;
  private final StateTable<PostmortemHead> heads;
  private final PostmortemStore store;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private volatile boolean running;
  private volatile TopicReader reader;
  private Thread thread;
  private boolean uncommitted;

  /**
   * @param search the postmortems index (one document per postmortem, for search)
   * @param revisions the revision index, whose commits hold this reader's offsets
   * @param heads the table of {@link Topics#STATE_POSTMORTEMS}, restored
   * @param store told of each event's outcome, to answer its writer
   */
  public PostmortemLog(
      KafkaSettings kafka,
      EventIndex search,
      RevisionIndex revisions,
      StateTable<PostmortemHead> heads,
      PostmortemStore store) {
    this.kafka = kafka;
    this.search = search;
    this.revisions = revisions;
    this.heads = heads;
    this.store = store;
  }

  /**
   * Builds the revision index and the heads from the whole log, unless {@code migration} has built
   * them before (on this or another process). Blocking; call before {@link #start()}.
   *
   * @return whether it ran now
   */
  public boolean migrate(StateMigration migration) {
    Map<String, PostmortemHead> folded = new LinkedHashMap<>();
    Map<TopicPartition, Long> offsets = new HashMap<>();
    return migration.once(
        Topics.STATE_POSTMORTEMS,
        Topics.POSTMORTEMS,
        REVISIONS,
        record -> {
          offsets.put(partition(record), record.nextOffset());
          apply(record, id -> Optional.ofNullable(folded.get(id)), folded::put);
        },
        () -> {
          try {
            search.commit(Map.of());
            revisions.commit(offsets);
            search.refresh();
            revisions.refresh();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          publish(folded.values());
        });
  }

  /**
   * Starts reading from the revision index's committed offsets (a partition it has none of, from
   * its beginning); the future completes once every record on the log when it started is applied.
   */
  public synchronized CompletableFuture<Void> start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread = new Thread(this::run, "valentia-postmortem-log");
    thread.setDaemon(true);
    thread.start();
    return caughtUp;
  }

  private void run() {
    try (TopicReader opened = TopicReader.open(kafka, "postmortem-log", Topics.POSTMORTEMS)) {
      reader = opened;
      resume(opened);
      Map<Integer, Long> ends = opened.endOffsets();
      long lastCommit = System.nanoTime();
      while (running) {
        List<LogRecord> records = opened.poll(Duration.ofMillis(100));
        fetched.addAndGet(records.size());
        if (!records.isEmpty()) {
          applyBatch(records);
        }
        if (!caughtUp.isDone() && opened.reached(ends)) {
          commit();
          caughtUp.complete(null);
        }
        if (System.nanoTime() - lastCommit > COMMIT_INTERVAL.toNanos()) {
          commit();
          lastCommit = System.nanoTime();
        }
      }
      commit();
    } catch (Throwable e) {
      failure.set(e);
      caughtUp.completeExceptionally(e);
      LOG.error("the postmortem log reader stopped", e);
    }
  }

  private void resume(TopicReader opened) {
    Map<TopicPartition, Long> committed = revisions.committedOffsets();
    Map<Integer, Long> resume = new LinkedHashMap<>();
    List<Integer> fresh = new ArrayList<>();
    for (int partition : opened.partitions()) {
      Long offset = committed.get(new TopicPartition(Topics.POSTMORTEMS, partition));
      if (offset == null) {
        fresh.add(partition);
      } else {
        resume.put(partition, offset);
      }
    }
    opened.seek(resume);
    opened.seekToBeginning(fresh);
    next.putAll(committed);
  }

  private void applyBatch(List<LogRecord> records) throws IOException {
    Map<String, PostmortemHead> batch = new LinkedHashMap<>();
    Map<String, PostmortemFold.Outcome> outcomes = new LinkedHashMap<>();
    Function<String, Optional<PostmortemHead>> current =
        id -> batch.containsKey(id) ? Optional.of(batch.get(id)) : revisions.head(id);
    for (LogRecord record : records) {
      next.put(partition(record), record.nextOffset());
      uncommitted = true;
      apply(record, current, batch::put).ifPresent(d -> outcomes.put(d.eventId(), d.outcome()));
    }
    if (!batch.isEmpty()) {
      revisions.refresh();
      search.refresh();
      publish(batch.values());
    }
    outcomes.forEach(store::settle);
  }

  /** One event's id and what the log made of it. */
  private record Decided(String eventId, PostmortemFold.Outcome outcome) {}

  /**
   * Decides one record against {@code current} and, when taken, writes its documents and tells
   * {@code taken} of the new head.
   */
  private Optional<Decided> apply(
      LogRecord record,
      Function<String, Optional<PostmortemHead>> current,
      BiConsumer<String, PostmortemHead> taken) {
    if (record.value() == null) {
      return Optional.empty();
    }
    CloudEvent event;
    try {
      event = EventCodec.instance().decode(record.value());
    } catch (InvalidEventException e) {
      LOG.warn(
          "{}-{}@{} is not a valid event, skipped: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      return Optional.empty();
    }
    PostmortemFold.Outcome outcome = PostmortemFold.decide(event, current, this::takenEventId);
    try {
      if (outcome instanceof PostmortemFold.Applied applied) {
        revisions.write(applied.head(), applied.revision());
        search.upsert(
            PostmortemDocuments.idTerm(applied.head().id()),
            PostmortemDocuments.toDocument(applied.head()));
        taken.accept(applied.head().id(), applied.head());
      } else if (outcome instanceof PostmortemFold.Rejected r) {
        rejected.incrementAndGet();
        LOG.warn("event {} on the postmortem log is not applied: {}", event.id(), r.reason());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(new Decided(event.id(), outcome));
  }

  /** The id of the event that carried a taken revision (rare: only to tell repeats apart). */
  private Optional<String> takenEventId(String id, int revision) {
    try {
      revisions.refresh();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return revisions.entry(id, revision).map(RevisionEntry::eventId);
  }

  /**
   * Writes each of {@code changed} that is newer than the state table's head, and waits until the
   * table has them.
   */
  private void publish(Collection<PostmortemHead> changed) {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (PostmortemHead head : changed) {
      boolean newer =
          heads.get(head.id()).map(known -> known.revision() < head.revision()).orElse(true);
      if (newer) {
        writes.add(heads.put(head.id(), head));
      }
    }
    if (!writes.isEmpty()) {
      StateMigration.await(
          CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
          "write " + writes.size() + " postmortem heads to " + Topics.STATE_POSTMORTEMS);
    }
  }

  private void commit() throws IOException {
    if (!uncommitted) {
      return;
    }
    search.commit(Map.of());
    revisions.commit(Map.copyOf(next));
    uncommitted = false;
  }

  private static TopicPartition partition(LogRecord record) {
    return new TopicPartition(record.topic(), record.partition());
  }

  /** Records fetched from the log since start (a clean restart fetches only new ones). */
  public long fetchedCount() {
    return fetched.get();
  }

  /** Revision events read since start that the log did not take. */
  public long rejectedCount() {
    return rejected.get();
  }

  /** Why the reader stopped on its own; empty while it runs. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Stops reading and commits what was applied. Blocking. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = thread;
      running = false;
    }
    if (t != null) {
      TopicReader current = reader;
      if (current != null) {
        current.wakeup();
      }
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
