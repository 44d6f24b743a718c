package io.valentia.notifications.delivery;

import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import io.valentia.notifications.delivery.DeliveryRecord.Outcome;
import io.valentia.notifications.receiver.Integration;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable outbox: every notification is recorded in {@link Topics#STATE_OUTBOX} (one entry per
 * integration, key {@code NOTIFICATION_ID|INTEGRATION}) before it is sent, and removed (a
 * tombstone) once the receiver answered 2xx or the notification was given up. A process that stops,
 * however abruptly, resumes what was pending when the next one {@linkplain #start() starts}:
 * delivery is at least once, and every request carries the notification's stable id ({@value
 * Integration#NOTIFICATION_ID_HEADER}; webhooks also get it as {@code Idempotency-Key}) so a
 * receiver can drop a repeat.
 *
 * <p>Each integration has its own queue, in the order notifications were recorded, with one request
 * in flight: a receiver that is down or slow holds up only its own queue, and a group's
 * notifications reach each integration in order. A failed attempt is retried after an exponential
 * back-off with jitter ({@link DeliverySettings}); {@code 429} and {@code 503} wait as long as
 * {@code Retry-After} says; {@code 408} and other {@code 5xx} answers and network errors are
 * retried; any other answer (a {@code 4xx}, a Slack error) is a refusal that retrying will not
 * change. A notification refused, or still not delivered {@code give_up_after} after it was
 * recorded, is given up: written to {@link Topics#DEADLETTER} with its reason and history. Requests
 * to one integration are spaced by its kind's {@code rate_per_second}.
 *
 * <p>Every step (recorded, attempt failed, delivered, given up) is appended to {@link
 * Topics#NOTIFICATIONS} as a {@value DeliveryRecord#EVENT_TYPE} event keyed by the group key. While
 * an integration keeps failing ({@code failing_after} attempts in a row, or a notification given up
 * since its last success), {@value #FAILING_CHECK} is raised; it clears once every integration
 * succeeds again.
 *
 * <p>Thread-safe: the outbox works on the Vert.x context it was created on (or a new one), and the
 * public methods may be called from any thread. Time comes from the {@link Scheduler}.
 *
 * <p>Why this class is still over 400 lines: what remains is one protocol on one context (record,
 * pump each integration's queue, send, act on the answer) whose steps share the queues, the
 * sequence counter and the started/closed state, and whose ordering guarantees (a notification
 * still being recorded holds back later ones; one request in flight per integration) span all of
 * them. The parts that stand alone live beside it: {@code Lane} (one queue and its status), {@code
 * Verdict} (what an answer means), {@code DeliveryOutcomes} (retry back-off, give-up), {@code
 * HttpSender}, {@code OutboxTable}, {@code DeliveryHistory}, {@code OutboxDeadLetters}, {@code
 * FailingCheck} and {@code ReceiverCheck} (test notifications).
 */
public final class Outbox {
  /** The health check raised while an integration keeps failing. */
  public static final String FAILING_CHECK = "NOTIFICATION_FAILING";

  /** How many history records {@link #recent(int)} keeps. */
  public static final int RECENT = 500;

  /** The {@link DeadLetters#GROUP} of the outbox's dead letters. */
  public static final String DEAD_LETTER_GROUP = "valentia.notifications.outbox";

  /** Dead-letter header: the notification's id. */
  public static final String NOTIFICATION_ID_HEADER = "valentia.notification.id";

  /** Dead-letter header: the integration. */
  public static final String INTEGRATION_HEADER = "valentia.notification.integration";

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final Context context;
  private final Map<String, ReceiverConfig> receivers = new LinkedHashMap<>();
  private final Map<String, Lane> lanes = new LinkedHashMap<>(); // on the context
  private final List<Lane> laneList = new CopyOnWriteArrayList<>();
  private final URI externalUrl;
  private final DeliverySettings settings;
  private final Scheduler scheduler;
  private final HttpSender sender;
  private final DeliveryHistory history;
  private final OutboxTable table;
  private final FailingCheck failingCheck;
  private final DeliveryOutcomes outcomes;
  private final ReceiverCheck receiverCheck;
  private long nextSequence;
  private boolean started;
  private volatile boolean closed;

  /** An outbox on wall-clock time and Vert.x timers ({@link Scheduler#of(Vertx)}). */
  public Outbox(
      Vertx vertx,
      StateTables tables,
      KafkaEventPublisher publisher,
      List<ReceiverConfig> receivers,
      URI externalUrl,
      DeliverySettings settings,
      HealthRegistry health) {
    this(vertx, tables, publisher, receivers, externalUrl, settings, health, Scheduler.of(vertx));
  }

  /**
   * An outbox for {@code receivers}; nothing happens until {@link #start()}.
   *
   * @param tables where {@link Topics#STATE_OUTBOX} is opened
   * @param publisher writes the history and the dead letters
   * @param externalUrl the web UI's address as people reach it, for links; may be null
   * @param health where {@value #FAILING_CHECK} is raised and cleared
   * @param scheduler the clock and timers (use {@link Scheduler#of(Vertx)} outside tests)
   */
  public Outbox(
      Vertx vertx,
      StateTables tables,
      KafkaEventPublisher publisher,
      List<ReceiverConfig> receivers,
      URI externalUrl,
      DeliverySettings settings,
      HealthRegistry health,
      Scheduler scheduler) {
    this.context = vertx.getOrCreateContext();
    this.externalUrl = externalUrl;
    this.settings = settings;
    this.scheduler = scheduler;
    this.sender = new HttpSender(vertx);
    this.history = new DeliveryHistory(publisher);
    this.table = new OutboxTable(tables);
    this.failingCheck = new FailingCheck(health);
    this.outcomes =
        new DeliveryOutcomes(
            table,
            history,
            new OutboxDeadLetters(publisher),
            failingCheck,
            laneList,
            settings,
            scheduler);
    this.receiverCheck = new ReceiverCheck(sender, history, scheduler, externalUrl);
    for (ReceiverConfig r : receivers) {
      this.receivers.put(r.name(), r);
      for (Integration i : Integration.of(r)) {
        addLane(i.id(), i);
      }
    }
  }

  private Lane addLane(String id, Integration integration) {
    Lane lane = new Lane(id, integration, scheduler, context, settings.failingAfter());
    lanes.put(id, lane);
    laneList.add(lane);
    return lane;
  }

  /**
   * Opens the outbox's state, waits until it is restored and resumes every delivery that was
   * pending, in its order.
   */
  public Future<Void> start() {
    return ContextCalls.on(
        context,
        () -> {
          sender.open();
          table.open();
          return Future.fromCompletionStage(table.restored(), context)
              .map(
                  v -> {
                    restore(table.snapshot());
                    started = true;
                    new ArrayList<>(lanes.values()).forEach(this::pump);
                    return null;
                  });
        });
  }

  private void restore(Map<String, PendingDelivery> pending) {
    int restored = 0;
    List<DeliveryRecord> steps = new ArrayList<>();
    for (PendingDelivery p : pending.values()) {
      if (p == null || p.notification() == null || p.integration() == null) {
        continue;
      }
      Lane lane = lanes.get(p.integration());
      if (lane == null) {
        LOG.warn(
            "the outbox holds notifications for {}, which is no longer configured; they are given"
                + " up after give_up_after",
            p.integration());
        lane = addLane(p.integration(), null);
      }
      lane.add(p);
      nextSequence = Math.max(nextSequence, p.sequence() + 1);
      steps.addAll(p.history());
      restored++;
    }
    history.restore(steps);
    if (restored > 0) {
      LOG.info("the outbox resumes {} pending deliveries", restored);
    }
  }

  /**
   * Records {@code n} for every integration of its receiver (those with {@code send_resolved} off
   * only while an alert of it fires) and sends it as soon as each integration's queue allows.
   * Recording the same notification id again does nothing.
   *
   * @return completes once {@code n} is durably recorded; fails with {@link
   *     UnknownReceiverException} for a receiver that is not configured, or when Kafka does not
   *     take the record
   */
  public Future<Void> enqueue(Notification n) {
    return ContextCalls.onCallers(enqueueHere(n));
  }

  private Future<Void> enqueueHere(Notification n) {
    return ContextCalls.on(
        context,
        () -> {
          if (closed || !started) {
            return Future.failedFuture(
                new IllegalStateException("the outbox is " + (closed ? "closed" : "not started")));
          }
          ReceiverConfig receiver = receivers.get(n.receiver());
          if (receiver == null) {
            return Future.failedFuture(new UnknownReceiverException(n.receiver()));
          }
          Instant now = scheduler.now();
          List<Future<Void>> recorded = new ArrayList<>();
          for (Integration i : Integration.of(receiver)) {
            String key = PendingDelivery.key(n.id(), i.id());
            Lane lane = lanes.get(i.id());
            if (i.view(n).isEmpty() || lane.known.contains(key) || table.contains(key)) {
              continue;
            }
            recorded.add(record(lane, n, now));
          }
          return Future.all(recorded).mapEmpty();
        });
  }

  private Future<Void> record(Lane lane, Notification n, Instant now) {
    long sequence = nextSequence++;
    DeliveryRecord step =
        DeliveryHistory.step(n, lane.id, Outcome.RECORDED, 0, null, null, now, null);
    PendingDelivery p =
        new PendingDelivery(n, lane.id, now, sequence, 0, null, null, List.of(step));
    lane.recording.add(sequence);
    lane.known.add(p.key());
    return Future.fromCompletionStage(table.add(p), context)
        .andThen(
            ar -> {
              lane.recording.remove(sequence);
              if (ar.succeeded()) {
                lane.add(p);
                history.append(step);
              } else {
                lane.known.remove(p.key());
                LOG.warn("could not record notification {} for {}", n.id(), lane.id, ar.cause());
              }
              pump(lane);
            });
  }

  // ---- one integration's queue ----

  private void pump(Lane lane) {
    if (closed || !started || lane.inFlight) {
      return;
    }
    lane.cancelWake();
    while (true) {
      PendingDelivery head = lane.head();
      if (head == null) {
        return;
      }
      if (!lane.recording.isEmpty() && lane.recording.first() < head.sequence()) {
        return; // an earlier notification is still being recorded: it goes first
      }
      Instant now = scheduler.now();
      Instant deadline = head.recordedAt().plus(settings.giveUpAfter());
      if (!now.isBefore(deadline)) {
        outcomes.giveUp(
            lane,
            head,
            head.attempts(),
            null,
            "not delivered within "
                + settings.giveUpAfter()
                + (head.lastError() == null ? "" : "; last error: " + head.lastError()));
        continue;
      }
      if (lane.integration == null) {
        lane.wake(deadline, now, () -> pump(lane));
        return;
      }
      Instant due = head.nextAttemptAt() == null ? now : head.nextAttemptAt();
      if (lane.nextAllowedAt != null && lane.nextAllowedAt.isAfter(due)) {
        due = lane.nextAllowedAt;
      }
      if (due.isAfter(now)) {
        lane.wake(due.isBefore(deadline) ? due : deadline, now, () -> pump(lane));
        return;
      }
      send(lane, head, now);
      return;
    }
  }

  private void send(Lane lane, PendingDelivery p, Instant now) {
    Integration integration = lane.integration;
    Optional<Integration.Request> request = integration.request(p.notification(), externalUrl, now);
    if (request.isEmpty()) {
      // the configuration changed (send_resolved off) and nothing fires any more
      lane.remove(p);
      table.remove(p);
      pump(lane);
      return;
    }
    lane.inFlight = true;
    Duration interval = settings.minInterval(integration.kind());
    lane.nextAllowedAt = interval.isZero() ? null : now.plus(interval);
    int attempt = p.attempts() + 1;
    sender
        .post(integration, request.get())
        .onComplete(ar -> context.runOnContext(v -> answered(lane, p, attempt, ar)));
  }

  private void answered(
      Lane lane, PendingDelivery p, int attempt, AsyncResult<HttpResponse<Buffer>> ar) {
    lane.inFlight = false;
    if (closed) {
      return;
    }
    Instant now = scheduler.now();
    Verdict verdict = Verdict.of(lane.integration, ar, now);
    switch (verdict.outcome()) {
      case DELIVERED -> outcomes.delivered(lane, p, attempt, verdict.status(), now);
      case RETRY ->
          outcomes.failed(
              lane, p, attempt, verdict.status(), verdict.error(), verdict.retryAfter(), now);
      case REFUSED -> outcomes.giveUp(lane, p, attempt, verdict.status(), verdict.error());
    }
    pump(lane);
  }

  // ---- status, history, tests ----

  /** How every integration is doing, in the order of the configuration. Thread-safe. */
  public List<ReceiverStatus> receivers() {
    return laneList.stream().map(Lane::status).toList();
  }

  /**
   * The latest history records, newest first, at most {@code max} (and {@value #RECENT}). After a
   * start, this holds the history of the deliveries still pending; the full history is in {@link
   * Topics#NOTIFICATIONS}.
   */
  public List<DeliveryRecord> recent(int max) {
    return history.recent(max);
  }

  /**
   * Sends a test notification to every integration of receiver {@code receiverName} now, outside
   * the queues and without retries (see {@link #testEach(String)}), and sums the results up in one
   * record: {@code delivered} when every integration answered 2xx (its {@code integration} lists
   * them), else {@code attempt-failed} naming the integrations that failed and why.
   *
   * @return fails with {@link UnknownReceiverException}, or with {@link IllegalArgumentException}
   *     for a receiver without integrations
   */
  public Future<DeliveryRecord> test(String receiverName) {
    return testEach(receiverName).compose(results -> ReceiverCheck.summary(receiverName, results));
  }

  /**
   * Sends a test notification to every integration of receiver {@code receiverName} now, outside
   * the queues and without retries: one firing alert {@code type=io.valentia.notification.test},
   * {@code severity=info}.
   *
   * <p>The result counts in {@link #receivers()} and {@value #FAILING_CHECK} like any attempt, so a
   * successful test clears the check for an integration whose configuration was fixed.
   *
   * @return one record per integration, {@code delivered} or {@code attempt-failed} with the error,
   *     in the order of the configuration; fails with {@link UnknownReceiverException}
   */
  public Future<List<DeliveryRecord>> testEach(String receiverName) {
    return ContextCalls.on(
        context,
        () -> {
          if (closed || !started) {
            return Future.failedFuture(
                new IllegalStateException("the outbox is " + (closed ? "closed" : "not started")));
          }
          ReceiverConfig receiver = receivers.get(receiverName);
          if (receiver == null) {
            return Future.failedFuture(new UnknownReceiverException(receiverName));
          }
          Instant now = scheduler.now();
          Notification n = ReceiverCheck.notification(receiverName, now);
          List<Future<DeliveryRecord>> sent = new ArrayList<>();
          for (Integration i : Integration.of(receiver)) {
            sent.add(receiverCheck.send(i, n, now).andThen(ar -> counted(i, ar.result())));
          }
          return Future.all(sent).map(all -> sent.stream().map(Future::result).toList());
        });
  }

  /** Counts the result of a test notification in the integration's status and health. */
  private void counted(Integration i, DeliveryRecord step) {
    Lane lane = lanes.get(i.id());
    if (step.outcome() == DeliveryRecord.Outcome.DELIVERED) {
      lane.succeeded(step.at());
    } else {
      lane.failed(step.at(), step.error(), false);
    }
    failingCheck.update(laneList);
  }

  /**
   * Stops sending, at once: requests in flight are abandoned and what is pending stays in the state
   * topic for the next start. Does not close the state tables or the publisher.
   *
   * @return completes once the outbox has stopped
   */
  public Future<Void> close() {
    closed = true;
    laneList.forEach(Lane::cancelWake);
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          failingCheck.clear();
          sender.close();
          done.complete();
        });
    return done.future();
  }
}
