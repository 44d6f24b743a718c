package io.valentia.postmortem.store;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.postmortem.index.EventIndex;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code valentia.postmortems} from the beginning into a {@link PostmortemStore} on its own
 * thread, then follows it: the store is rebuilt from the log at every start, and every applied
 * revision is upserted into the postmortems index (one document per postmortem), which is refreshed
 * after each batch and committed every few seconds. No consumer group.
 */
public final class PostmortemLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostmortemLog.class);
  private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(5);

  private final PostmortemStore store;
  private final EventIndex index;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private volatile boolean running;
  private Thread thread;
  private boolean dirty;

  /**
   * @param index the postmortems index
   */
  public PostmortemLog(KafkaSettings kafka, EventIndex index) {
    this.store = new PostmortemStore(this::index);
    this.index = index;
    Map<String, Object> props = kafka.commonClientProperties("postmortem-store");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The store this log fills. */
  public PostmortemStore store() {
    return store;
  }

  private void index(PostmortemHistory history) {
    try {
      index.upsert(
          PostmortemDocuments.idTerm(history.id()), PostmortemDocuments.toDocument(history));
      if (caughtUp.isDone()) {
        // a writer waits for this revision: searches must see it when the writer is answered
        index.refresh();
      } else {
        dirty = true;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Starts reading; the future completes once every revision on the log when it started is in the
   * store and searchable.
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
    try {
      List<PartitionInfo> infos =
          consumer.partitionsFor(Topics.POSTMORTEMS, Duration.ofSeconds(15));
      if (infos == null || infos.isEmpty()) {
        throw new ValentiaException("topic " + Topics.POSTMORTEMS + " does not exist");
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(i -> partitions.add(new TopicPartition(Topics.POSTMORTEMS, i.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long lastCommit = System.nanoTime();
      while (running) {
        poll();
        if (dirty) {
          index.refresh();
          dirty = false;
        }
        if (!caughtUp.isDone()
            && end.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          index.commit(next);
          caughtUp.complete(null);
        }
        if (System.nanoTime() - lastCommit > COMMIT_INTERVAL.toNanos()) {
          index.commit(next);
          lastCommit = System.nanoTime();
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (Throwable e) {
      failure.set(e);
      caughtUp.completeExceptionally(e);
      LOG.error("the postmortem log reader stopped", e);
    }
    try {
      if (failure.get() == null) {
        index.commit(next);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not commit the postmortems index on close", e);
    }
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
      next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
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
        continue;
      }
      store.apply(event);
    }
  }

  /** Why the reader stopped on its own; empty while it runs. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Stops reading and commits the index. Blocking. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = thread;
      running = false;
    }
    if (t != null) {
      consumer.wakeup();
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
  }
}
