package io.valentia.eventbus.kafka;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.InvalidEventException.Reason;
import io.valentia.eventbus.ReceivedEvent;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group member that hands valid events to an {@link EventHandler} on a Vert.x context
 * and dead-letters everything else.
 *
 * <ul>
 *   <li>One consumer group per subscriber ({@link Options#groupId()}); Kafka shares the partitions
 *       among the members of a group, so running a service twice shares its load.
 *   <li>Records are handled one at a time in offset order. A partition's offset is committed only
 *       after the handler's future for every record before it succeeded (or the record was
 *       dead-lettered), so a crash loses nothing; events may be handled again, and handlers are
 *       idempotent on the event id.
 *   <li>A record that is not JSON, not a CloudEvent, or fails its schema goes to {@link
 *       io.valentia.eventbus.Topics#DEADLETTER} with {@link DeadLetters} headers, and the
 *       subscriber carries on. A handler that keeps failing on a record dead-letters it too ({@code
 *       handler-failed}), after {@link Options#handlerAttempts()} tries.
 *   <li>Back-pressure: when more than {@link Options#maxPending()} records wait for the handler,
 *       the consumer pauses its partitions (it keeps polling, so it stays in the group) and resumes
 *       them below half of that.
 * </ul>
 *
 * <p>The Kafka consumer runs on its own thread; the event loop never waits for Kafka.
 */
public final class KafkaEventSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSubscriber.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(500).toNanos();

  private final Vertx vertx;
  private final Context context;
  private final Options options;
  private final EventHandler handler;
  private final KafkaEventPublisher deadLetters;
  private final EventCodec codec = EventCodec.instance();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread pollThread;
  private final Promise<Void> stopped = Promise.promise();
  private final java.util.concurrent.CompletableFuture<Void> firstAssignment =
      new java.util.concurrent.CompletableFuture<>();

  private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final Map<TopicPartition, Integer> epochs = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> done = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final Stats stats = new Stats();
  private volatile boolean running = true;
  private boolean draining; // context only
  private boolean paused; // poll thread only
  private long lastCommit = System.nanoTime();

  private KafkaEventSubscriber(
      Vertx vertx,
      KafkaSettings settings,
      Options options,
      EventHandler handler,
      KafkaEventPublisher deadLetters) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = options;
    this.handler = handler;
    this.deadLetters = deadLetters;
    Map<String, Object> props =
        settings.commonClientProperties(
            "consumer-" + (options.groupId() == null ? "replay" : options.groupId()));
    if (options.groupId() != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
    }
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, options.fromBeginning() ? "earliest" : "latest");
    // Kafka Streams writes incident events in transactions: never hand over an aborted one
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.pollThread =
        new Thread(
            this::pollLoop,
            "valentia-consumer-" + (options.groupId() == null ? "replay" : options.groupId()));
    this.pollThread.setDaemon(true);
  }

  /**
   * Joins the group and starts handing events to {@code handler} on the caller's context.
   *
   * @param deadLetters the publisher dead letters are sent with
   */
  public static KafkaEventSubscriber start(
      Vertx vertx,
      KafkaSettings settings,
      Options options,
      EventHandler handler,
      KafkaEventPublisher deadLetters) {
    KafkaEventSubscriber subscriber =
        new KafkaEventSubscriber(vertx, settings, options, handler, deadLetters);
    subscriber.pollThread.start();
    return subscriber;
  }

  /** Counters since start. */
  public Stats stats() {
    return stats;
  }

  public Options options() {
    return options;
  }

  /**
   * Completes once the subscriber was first given partitions and knows where it reads them from:
   * from then on, an event published is an event it will read (what a group that starts at the end
   * of the log needs before it can promise not to miss one).
   */
  public java.util.concurrent.CompletableFuture<Void> firstAssignment() {
    return firstAssignment;
  }

  /**
   * Stops polling, commits what was handled and leaves the group. Records still waiting are not
   * committed and will be delivered again to the group.
   */
  public Future<Void> close() {
    running = false;
    consumer.wakeup();
    return stopped.future();
  }

  // ---- poll thread ----

  private void pollLoop() {
    try {
      if (options.groupId() != null) {
        consumer.subscribe(options.topics(), new Rebalance());
      } else {
        assignAll();
      }
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue;
        } catch (RuntimeException e) {
          LOG.warn("group {}: poll failed, retrying: {}", options.groupId(), e.toString());
          sleep(1000);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          queue.add(new Item(record, tp, epochs.getOrDefault(tp, 0)));
          pending.incrementAndGet();
          stats.received.incrementAndGet();
        }
        if (!records.isEmpty()) {
          context.runOnContext(v -> drain());
        }
        applyBackPressure();
        commitIfDue(false);
      }
    } catch (RuntimeException e) {
      LOG.error("group {}: consumer stopped", options.groupId(), e);
    } finally {
      try {
        commitIfDue(true);
      } catch (RuntimeException e) {
        LOG.warn("group {}: final commit failed: {}", options.groupId(), e.toString());
      }
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      stopped.tryComplete();
    }
  }

  /** Replay mode: every partition of the topics, from the beginning or the end, no group. */
  private void assignAll() {
    List<TopicPartition> partitions = new java.util.ArrayList<>();
    for (String topic : options.topics()) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    if (options.fromBeginning()) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
  }

  private void applyBackPressure() {
    int waiting = pending.get();
    if (!paused && waiting > options.maxPending()) {
      consumer.pause(consumer.assignment());
      paused = true;
      stats.pauses.incrementAndGet();
    } else if (paused && waiting <= options.maxPending() / 2) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void commitIfDue(boolean now) {
    if (options.groupId() == null) {
      return;
    }
    if (!now && System.nanoTime() - lastCommit < COMMIT_INTERVAL_NANOS) {
      return;
    }
    lastCommit = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Set<TopicPartition> assigned = consumer.assignment();
    done.forEach(
        (tp, next) -> {
          if (assigned.contains(tp) && !next.equals(committed.get(tp))) {
            offsets.put(tp, new OffsetAndMetadata(next));
          }
        });
    if (offsets.isEmpty()) {
      return;
    }
    if (now) {
      consumer.commitSync(offsets, Duration.ofSeconds(5));
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    } else {
      consumer.commitAsync(
          offsets,
          (result, error) -> {
            if (error != null) {
              LOG.warn("group {}: commit failed: {}", options.groupId(), error.toString());
            } else {
              result.forEach((tp, o) -> committed.put(tp, o.offset()));
            }
          });
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (TopicPartition tp : partitions) {
        Long next = done.get(tp);
        if (next != null && !next.equals(committed.get(tp))) {
          offsets.put(tp, new OffsetAndMetadata(next));
        }
      }
      if (!offsets.isEmpty()) {
        try {
          consumer.commitSync(offsets, Duration.ofSeconds(5));
        } catch (RuntimeException e) {
          LOG.warn("group {}: commit on revoke failed: {}", options.groupId(), e.toString());
        }
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (paused) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty() && !firstAssignment.isDone()) {
        // fix the start position now (an "end of the log" reset would otherwise happen later)
        partitions.forEach(consumer::position);
        firstAssignment.complete(null);
      }
    }

    private void forget(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        epochs.merge(tp, 1, Integer::sum); // records of the old assignment are dropped unhandled
        done.remove(tp);
        committed.remove(tp);
      }
    }
  }

  // ---- context ----

  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    next();
  }

  private void next() {
    while (true) {
      Item item = queue.poll();
      if (item == null) {
        draining = false;
        return;
      }
      if (item.epoch != epochs.getOrDefault(item.tp, 0)) {
        pending.decrementAndGet();
        continue;
      }
      Future<Void> result = process(item);
      if (result.isComplete()) {
        finish(item, result);
        continue;
      }
      result.onComplete(ar -> context.runOnContext(v -> finishAndContinue(item, result)));
      return;
    }
  }

  private void finishAndContinue(Item item, Future<Void> result) {
    finish(item, result);
    next();
  }

  private void finish(Item item, Future<Void> result) {
    pending.decrementAndGet();
    if (result.succeeded() && item.epoch == epochs.getOrDefault(item.tp, 0)) {
      done.merge(item.tp, item.record.offset() + 1, Math::max);
    }
  }

  private Future<Void> process(Item item) {
    ConsumerRecord<byte[], byte[]> record = item.record;
    if (!options.types().isEmpty()) {
      String type = EventCodec.peekType(record.value());
      if (type != null && !options.types().contains(type)) {
        return Future.succeededFuture(); // not wanted here; validity is the gate's business
      }
    }
    CloudEvent event;
    try {
      event = codec.decode(record.value());
    } catch (InvalidEventException e) {
      if (options.deadLetterInvalid()) {
        return deadLetter(item, e.reason(), e.getMessage());
      }
      stats.skippedInvalid.incrementAndGet();
      LOG.debug(
          "{}: skipping invalid record {}-{}: {}",
          options.groupId(),
          item.tp,
          record.offset(),
          e.getMessage());
      return Future.succeededFuture();
    }
    ReceivedEvent received =
        new ReceivedEvent(
            record.topic(),
            record.partition(),
            record.offset(),
            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
            Instant.ofEpochMilli(record.timestamp()),
            event);
    return attempt(item, received, 1);
  }

  private Future<Void> attempt(Item item, ReceivedEvent received, int attempt) {
    Future<Void> result;
    try {
      result = Objects.requireNonNull(handler.handle(received), "the handler returned null");
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result
        .map(
            v -> {
              stats.handled.incrementAndGet();
              PlatformMeters.consumed(received.topic(), options.groupId());
              return (Void) null;
            })
        .recover(
            error -> {
              if (!running) {
                return Future.failedFuture(error);
              }
              if (attempt >= options.handlerAttempts()) {
                LOG.warn(
                    "group {}: handler failed {} times on {}-{}, dead-lettering: {}",
                    options.groupId(),
                    attempt,
                    item.tp,
                    received.offset(),
                    error.toString());
                return deadLetter(
                    item, Reason.HANDLER_FAILED, "handler failed " + attempt + " times: " + error);
              }
              stats.retries.incrementAndGet();
              return vertx
                  .timer(options.retryBackoff().toMillis() * attempt)
                  .compose(t -> attempt(item, received, attempt + 1));
            });
  }

  private Future<Void> deadLetter(Item item, Reason reason, String error) {
    ConsumerRecord<byte[], byte[]> record = item.record;
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      headers.add(header);
    }
    header(headers, DeadLetters.REASON, reason.value());
    header(headers, DeadLetters.ERROR, error);
    header(headers, DeadLetters.TOPIC, record.topic());
    header(headers, DeadLetters.PARTITION, Integer.toString(record.partition()));
    header(headers, DeadLetters.OFFSET, Long.toString(record.offset()));
    header(headers, DeadLetters.GROUP, options.groupId());
    header(headers, DeadLetters.TIME, Instant.now().toString());
    ProducerRecord<byte[], byte[]> letter =
        new ProducerRecord<>(
            io.valentia.eventbus.Topics.DEADLETTER, null, record.key(), record.value(), headers);
    return sendDeadLetter(letter, 1)
        .map(
            position -> {
              stats.deadLettered.incrementAndGet();
              PlatformMeters.deadLettered(reason.value(), record.topic());
              return (Void) null;
            });
  }

  /** A dead letter is never dropped: it is retried until it is stored or the subscriber stops. */
  private Future<io.valentia.eventbus.kafka.EventPublisher.RecordPosition> sendDeadLetter(
      ProducerRecord<byte[], byte[]> letter, int attempt) {
    return deadLetters
        .send(letter)
        .recover(
            error -> {
              if (!running) {
                return Future.failedFuture(error);
              }
              LOG.warn(
                  "group {}: dead letter not stored (attempt {}), retrying: {}",
                  options.groupId(),
                  attempt,
                  error.toString());
              return vertx
                  .timer(Math.min(5000, 200L * attempt))
                  .compose(t -> sendDeadLetter(letter, attempt + 1));
            });
  }

  private static void header(RecordHeaders headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Item(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, int epoch) {}

  /**
   * What a subscriber does.
   *
   * @param groupId the consumer group, one per subscriber; null for a replay: every partition
   *     assigned to this reader alone, nothing committed (for projections rebuilt at each start)
   * @param topics the topics it reads
   * @param fromBeginning where it starts without a committed offset: the oldest record (true) or
   *     new records only
   * @param maxPending records waiting for the handler before the consumer pauses
   * @param handlerAttempts tries of the handler per record before it is dead-lettered
   * @param retryBackoff the pause before the second try; it grows linearly
   * @param types the event types the handler wants; records of other types are passed over without
   *     validation (a replay of a long log for one type stays cheap); empty for all
   * @param deadLetterInvalid whether records that are not valid events go to the dead-letter topic
   *     (true for the one gate group that owns that duty, {@code DeadLetterGate}); otherwise they
   *     are skipped and counted in {@link Stats#skippedInvalid()}
   */
  public record Options(
      String groupId,
      List<String> topics,
      boolean fromBeginning,
      int maxPending,
      int handlerAttempts,
      Duration retryBackoff,
      boolean deadLetterInvalid,
      Set<String> types) {
    public Options {
      topics = List.copyOf(topics);
      types = types == null ? Set.of() : Set.copyOf(types);
      if (maxPending < 1 || handlerAttempts < 1) {
        throw new IllegalArgumentException("maxPending and handlerAttempts must be at least 1");
      }
    }

    /**
     * A durable group reading {@code topics} from the beginning; 1000 pending, 3 attempts 200 ms
     * apart; invalid records skipped (the gate dead-letters them).
     */
    public static Options of(String groupId, String... topics) {
      Objects.requireNonNull(groupId, "groupId");
      return new Options(
          groupId, List.of(topics), true, 1000, 3, Duration.ofMillis(200), false, Set.of());
    }

    /** A group-less reader of every partition of {@code topics}, from the beginning. */
    public static Options replay(String... topics) {
      return new Options(
          null, List.of(topics), true, 1000, 3, Duration.ofMillis(200), false, Set.of());
    }

    public Options withMaxPending(int maxPending) {
      return new Options(
          groupId,
          topics,
          fromBeginning,
          maxPending,
          handlerAttempts,
          retryBackoff,
          deadLetterInvalid,
          types);
    }

    public Options withFromBeginning(boolean fromBeginning) {
      return new Options(
          groupId,
          topics,
          fromBeginning,
          maxPending,
          handlerAttempts,
          retryBackoff,
          deadLetterInvalid,
          types);
    }

    public Options withHandlerAttempts(int handlerAttempts, Duration retryBackoff) {
      return new Options(
          groupId,
          topics,
          fromBeginning,
          maxPending,
          handlerAttempts,
          retryBackoff,
          deadLetterInvalid,
          types);
    }

    /** Only events of these types reach the handler; see {@link #types()}. */
    public Options withTypes(Set<String> types) {
      return new Options(
          groupId,
          topics,
          fromBeginning,
          maxPending,
          handlerAttempts,
          retryBackoff,
          deadLetterInvalid,
          types);
    }

    public Options withDeadLetterInvalid(boolean deadLetterInvalid) {
      if (deadLetterInvalid && groupId == null) {
        throw new IllegalArgumentException("a replay reader never dead-letters");
      }
      return new Options(
          groupId,
          topics,
          fromBeginning,
          maxPending,
          handlerAttempts,
          retryBackoff,
          deadLetterInvalid,
          types);
    }
  }

  /** Counters of one subscriber; thread-safe. */
  public static final class Stats {
    final AtomicLong received = new AtomicLong();
    final AtomicLong handled = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong pauses = new AtomicLong();
    final AtomicLong skippedInvalid = new AtomicLong();

    /** Invalid records skipped because another group dead-letters them. */
    public long skippedInvalid() {
      return skippedInvalid.get();
    }

    public long received() {
      return received.get();
    }

    public long handled() {
      return handled.get();
    }

    public long deadLettered() {
      return deadLettered.get();
    }

    public long retries() {
      return retries.get();
    }

    /** How often the consumer paused because the handler fell behind. */
    public long pauses() {
      return pauses.get();
    }
  }
}
