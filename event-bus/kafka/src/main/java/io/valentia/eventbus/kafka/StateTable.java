package io.valentia.eventbus.kafka;

import com.fasterxml.jackson.databind.JavaType;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted state topic read into memory and kept current: the latest value of every key, as
 * JSON. Reading starts at the topic's beginning, which on a compacted topic costs time in
 * proportion to the state, not to its history; {@link #restored()} completes once everything the
 * topic held at start is in, and the table then follows the topic, so writes from other processes
 * show here too.
 *
 * <p>Writes go to Kafka first: {@link #put} and {@link #remove} (a tombstone) complete once this
 * process has read its own record back, so a caller reads its own writes and every process applies
 * the same records in the same order. The process that owns an entity writes it; the others read.
 *
 * <p>Why not a Kafka Streams {@code GlobalKTable}: a global table is read-only and exists inside a
 * running Streams topology, while tokens, sessions, mutes, leases, schedules and faults are written
 * by request handlers and read by plain services with no stream processing around them. A table
 * kept in memory is the right size for them (thousands of entries). Stateful stream processing
 * (windows, aggregations, rebalancing) uses Kafka Streams itself.
 *
 * <p>Thread-safe. Listeners run on the table's reader thread, in log order.
 *
 * @param <V> the value type, read and written with {@link EventCodec#MAPPER}
 */
public final class StateTable<V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateTable.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaSettings settings;
  private final String topic;
  private final JavaType type;
  private final Map<String, V> values = new ConcurrentHashMap<>();
  private final Map<String, V> ordered =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<Listener<V>> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> restored = new CompletableFuture<>();
  private final Map<Integer, Long> applied = new ConcurrentHashMap<>();
  private final List<Waiter> waiters = new ArrayList<>(); // guarded by itself
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long restoreRead;
  private volatile long restoreTotal = -1;
  private volatile long undecodable;
  private volatile TopicReader reader;
  private KafkaProducer<byte[], byte[]> producer; // guarded by this

  private StateTable(KafkaSettings settings, String topic, JavaType type) {
    this.settings = settings;
    this.topic = topic;
    this.type = type;
    this.thread = new Thread(this::run, "valentia-state-" + topic.replace("valentia.state.", ""));
    this.thread.setDaemon(true);
  }

  /**
   * Opens and starts reading state topic {@code topic}.
   *
   * @param valueType the class its values are read as
   */
  public static <V> StateTable<V> open(KafkaSettings settings, String topic, Class<V> valueType) {
    return open(settings, topic, EventCodec.MAPPER.constructType(valueType));
  }

  /** Like {@link #open(KafkaSettings, String, Class)} for a generic value type. */
  public static <V> StateTable<V> open(KafkaSettings settings, String topic, JavaType valueType) {
    StateTable<V> table = new StateTable<>(settings, topic, valueType);
    table.thread.start();
    return table;
  }

  public String topic() {
    return topic;
  }

  /** Completes once every record the topic held when the table opened has been applied. */
  public CompletableFuture<Void> restored() {
    return restored;
  }

  /** Whether the table is restored; false while it catches up. */
  public boolean isRestored() {
    return restored.isDone() && !restored.isCompletedExceptionally();
  }

  /** How far the restore has come. */
  public Restore progress() {
    return new Restore(topic, restoreRead, restoreTotal, isRestored(), values.size());
  }

  /** The value of {@code key}, if the table holds one. */
  public Optional<V> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** Every entry, in the order their keys first appeared (a copy). */
  public Map<String, V> snapshot() {
    synchronized (ordered) {
      return new LinkedHashMap<>(ordered);
    }
  }

  public int size() {
    return values.size();
  }

  /**
   * Tells {@code listener} of every change applied from now on (after restore as well as during it,
   * so a listener added before {@link #restored()} sees every entry once).
   */
  public void listen(Listener<V> listener) {
    listeners.add(listener);
  }

  /**
   * Writes {@code value} as the state of {@code key}.
   *
   * @return completes once the record is on Kafka and applied to this table; fails when Kafka does
   *     not take it
   */
  public CompletableFuture<Void> put(String key, V value) {
    byte[] bytes;
    try {
      bytes = EventCodec.MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new ValentiaException("cannot write state of " + key + " to " + topic, e));
    }
    return send(key, bytes);
  }

  /** Ends {@code key}: a tombstone, so compaction drops it. Completes like {@link #put}. */
  public CompletableFuture<Void> remove(String key) {
    return send(key, null);
  }

  private CompletableFuture<Void> send(String key, byte[] value) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      producer()
          .send(
              new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value),
              (metadata, error) -> {
                if (error != null) {
                  done.completeExceptionally(error);
                } else {
                  awaitApplied(metadata.partition(), metadata.offset(), done);
                }
              });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private synchronized KafkaProducer<byte[], byte[]> producer() {
    if (!running) {
      throw new IllegalStateException("the state table " + topic + " is closed");
    }
    if (producer == null) {
      Map<String, Object> props =
          settings.commonClientProperties("state-" + topic.replace("valentia.state.", ""));
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
      producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  private void awaitApplied(int partition, long offset, CompletableFuture<Void> done) {
    synchronized (waiters) {
      if (applied.getOrDefault(partition, 0L) > offset) {
        done.complete(null);
      } else {
        waiters.add(new Waiter(partition, offset, done));
      }
    }
  }

  // ---- reader thread ----

  private void run() {
    try {
      // read_committed: a state written in a transaction (Kafka Streams) counts once committed
      reader =
          TopicReader.open(
              settings,
              "state-" + topic.replace("valentia.state.", ""),
              topic,
              Map.of("isolation.level", "read_committed"));
      reader.seekToBeginning();
      Map<Integer, Long> ends = reader.endOffsets();
      Map<Integer, Long> begins = reader.beginningOffsets();
      long total = 0;
      for (Map.Entry<Integer, Long> e : ends.entrySet()) {
        total += e.getValue() - begins.getOrDefault(e.getKey(), 0L);
      }
      restoreTotal = total;
      while (running) {
        List<LogRecord> records = reader.poll(POLL);
        for (LogRecord record : records) {
          apply(record);
          if (!restored.isDone()) {
            restoreRead++;
          }
        }
        for (Map.Entry<Integer, Long> e : reader.positions().entrySet()) {
          applied.put(e.getKey(), e.getValue());
        }
        release();
        if (!restored.isDone() && reader.reached(ends)) {
          restoreRead = restoreTotal;
          LOG.debug("state {} restored: {} entries", topic, values.size());
          restored.complete(null);
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("the reader of state topic {} stopped", topic, e);
        restored.completeExceptionally(e);
        failWaiters(e);
      }
    } finally {
      TopicReader r = reader;
      if (r != null) {
        r.close();
      }
    }
  }

  private void apply(LogRecord record) {
    String key = record.keyString();
    if (key == null) {
      undecodable++;
      LOG.warn("state topic {} has a record without a key at {}", topic, record.offset());
      return;
    }
    V before = values.get(key);
    V after = null;
    if (record.value() != null) {
      try {
        after = EventCodec.MAPPER.readValue(record.value(), type);
      } catch (IOException e) {
        undecodable++;
        LOG.warn(
            "state topic {}: the record of {} at {}-{} is not a {}: {}",
            topic,
            key,
            record.partition(),
            record.offset(),
            type,
            e.getMessage());
        return;
      }
    }
    if (after == null) {
      values.remove(key);
      ordered.remove(key);
    } else {
      values.put(key, after);
      ordered.put(key, after);
    }
    for (Listener<V> listener : listeners) {
      try {
        listener.changed(key, before, after);
      } catch (RuntimeException e) {
        LOG.warn("a listener of state {} failed on {}: {}", topic, key, e.toString());
      }
    }
  }

  private void release() {
    synchronized (waiters) {
      Iterator<Waiter> it = waiters.iterator();
      while (it.hasNext()) {
        Waiter w = it.next();
        if (applied.getOrDefault(w.partition, 0L) > w.offset) {
          w.done.complete(null);
          it.remove();
        }
      }
    }
  }

  private void failWaiters(Throwable e) {
    synchronized (waiters) {
      waiters.forEach(w -> w.done.completeExceptionally(e));
      waiters.clear();
    }
  }

  /** Stops reading and closes the producer; blocking for up to a few seconds. */
  @Override
  public void close() {
    running = false;
    TopicReader r = reader;
    if (r != null) {
      r.wakeup();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
        producer = null;
      }
    }
    failWaiters(new IllegalStateException("the state table " + topic + " closed"));
    restored.completeExceptionally(new IllegalStateException("closed before it was restored"));
  }

  /** Told of each change: {@code before} null for a new key, {@code after} null for a removal. */
  @FunctionalInterface
  public interface Listener<V> {
    void changed(String key, V before, V after);
  }

  /**
   * A table's restore progress.
   *
   * @param read records applied so far during the restore
   * @param total records the topic held at start (-1 until known)
   * @param restored whether the restore is done
   * @param entries keys the table holds now
   */
  public record Restore(String topic, long read, long total, boolean restored, int entries) {}

  private record Waiter(int partition, long offset, CompletableFuture<Void> done) {}
}
