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
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * <p>The Kafka consumer runs on its own thread ({@link SubscriberPollLoop}: polling, back-pressure,
 * rebalances); which offsets may be committed is {@link CommitTracker}'s business, and dead letters
 * are written by {@link DeadLetterWriter}. This class hands the records to the handler on its
 * Vert.x context, with retries; the event loop never waits for Kafka. Its {@link Options} and
 * {@link Stats} stay nested in it, as the API callers know them.
 */
public final class KafkaEventSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSubscriber.class);

  private final Vertx vertx;
  private final Context context;
  private final Options options;
  private final EventHandler handler;
  private final EventCodec codec = EventCodec.instance();
  private final Stats stats = new Stats();
  private final CommitTracker commits;
  private final SubscriberPollLoop loop;
  private final DeadLetterWriter deadLetters;
  private final Thread pollThread;
  private boolean draining; // context only

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
    Map<String, Object> props =
        settings.commonClientProperties(
            "consumer-" + (options.groupId() == null ? "replay" : options.groupId()));
    if (options.groupId() != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
      settings
          .groupInstanceId(options.groupId())
          .ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
    }
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, options.fromBeginning() ? "earliest" : "latest");
    // Kafka Streams writes incident events in transactions: never hand over an aborted one
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.commits = new CommitTracker(options.groupId());
    this.loop =
        new SubscriberPollLoop(
            consumer, options, commits, stats, () -> context.runOnContext(v -> drain()));
    this.deadLetters =
        new DeadLetterWriter(vertx, deadLetters, options.groupId(), stats, loop::running);
    this.pollThread =
        new Thread(
            loop,
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
  public CompletableFuture<Void> firstAssignment() {
    return loop.firstAssignment();
  }

  /**
   * Stops polling, commits what was handled and leaves the group. Records still waiting are not
   * committed and will be delivered again to the group.
   */
  public Future<Void> close() {
    return loop.stop();
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
      PendingRecord item = loop.next();
      if (item == null) {
        draining = false;
        return;
      }
      if (!commits.current(item)) {
        loop.taken();
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

  private void finishAndContinue(PendingRecord item, Future<Void> result) {
    finish(item, result);
    next();
  }

  private void finish(PendingRecord item, Future<Void> result) {
    loop.taken();
    if (result.succeeded()) {
      commits.finished(item);
    }
  }

  private Future<Void> process(PendingRecord item) {
    ConsumerRecord<byte[], byte[]> record = item.record();
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
        return deadLetters.write(record, e.reason(), e.getMessage());
      }
      stats.skippedInvalid.incrementAndGet();
      LOG.debug(
          "{}: skipping invalid record {}-{}: {}",
          options.groupId(),
          item.tp(),
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

  private Future<Void> attempt(PendingRecord item, ReceivedEvent received, int attempt) {
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
              if (!loop.running()) {
                return Future.failedFuture(error);
              }
              if (attempt >= options.handlerAttempts()) {
                LOG.warn(
                    "group {}: handler failed {} times on {}-{}, dead-lettering: {}",
                    options.groupId(),
                    attempt,
                    item.tp(),
                    received.offset(),
                    error.toString());
                return deadLetters.write(
                    item.record(),
                    Reason.HANDLER_FAILED,
                    "handler failed " + attempt + " times: " + error);
              }
              stats.retries.incrementAndGet();
              return vertx
                  .timer(options.retryBackoff().toMillis() * attempt)
                  .compose(t -> attempt(item, received, attempt + 1));
            });
  }

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
