package io.valentia.notifications.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import io.valentia.notifications.receiver.Integration;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
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
  private static final int ERROR_BODY = 300;

  private final Vertx vertx;
  private final Context context;
  private final StateTables tables;
  private final KafkaEventPublisher publisher;
  private final Map<String, ReceiverConfig> receivers = new LinkedHashMap<>();
  private final Map<String, Lane> lanes = new LinkedHashMap<>(); // on the context
  private final List<Lane> laneList = new CopyOnWriteArrayList<>();
  private final URI externalUrl;
  private final DeliverySettings settings;
  private final HealthRegistry health;
  private final Scheduler scheduler;
  private final Deque<DeliveryRecord> recent = new ArrayDeque<>(); // guarded by itself
  private final Random random = new Random();
  private WebClient client;
  private StateTable<PendingDelivery> table;
  private long nextSequence;
  private boolean started;
  private volatile boolean closed;
  private List<String> raised = List.of();

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
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.tables = tables;
    this.publisher = publisher;
    this.externalUrl = externalUrl;
    this.settings = settings;
    this.health = health;
    this.scheduler = scheduler;
    for (ReceiverConfig r : receivers) {
      this.receivers.put(r.name(), r);
      for (Integration i : Integration.of(r)) {
        Lane lane = new Lane(i.id(), i);
        lanes.put(i.id(), lane);
        laneList.add(lane);
      }
    }
  }

  /**
   * Opens the outbox's state, waits until it is restored and resumes every delivery that was
   * pending, in its order.
   */
  public Future<Void> start() {
    return onContext(
        () -> {
          client =
              WebClient.create(
                  vertx,
                  new WebClientOptions()
                      .setUserAgent("Valentia")
                      .setFollowRedirects(false)
                      .setConnectTimeout(10_000));
          table = tables.open(Topics.STATE_OUTBOX, PendingDelivery.class);
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
        lane = new Lane(p.integration(), null);
        lanes.put(p.integration(), lane);
        laneList.add(lane);
      }
      lane.add(p);
      nextSequence = Math.max(nextSequence, p.sequence() + 1);
      steps.addAll(p.history());
      restored++;
    }
    steps.sort(Comparator.comparing(DeliveryRecord::at));
    synchronized (recent) {
      steps.forEach(recent::addFirst);
      while (recent.size() > RECENT) {
        recent.removeLast();
      }
    }
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
    return onCallers(enqueueHere(n));
  }

  /**
   * {@code work}, completed on the context of whoever called (a verticle goes on on its own
   * context, not on the outbox's).
   */
  private static <T> Future<T> onCallers(Future<T> work) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return work;
    }
    Promise<T> promise = Promise.promise();
    work.onComplete(done -> caller.runOnContext(v -> promise.handle(done)));
    return promise.future();
  }

  private Future<Void> enqueueHere(Notification n) {
    return onContext(
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
            if (i.view(n).isEmpty() || lane.known.contains(key) || table.get(key).isPresent()) {
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
        step(n, lane.id, DeliveryRecord.Outcome.RECORDED, 0, null, null, now, null);
    PendingDelivery p =
        new PendingDelivery(n, lane.id, now, sequence, 0, null, null, List.of(step));
    lane.recording.add(sequence);
    lane.known.add(p.key());
    return Future.fromCompletionStage(table.put(p.key(), p), context)
        .andThen(
            ar -> {
              lane.recording.remove(sequence);
              if (ar.succeeded()) {
                lane.add(p);
                history(step);
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
        giveUp(
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
      remove(p);
      pump(lane);
      return;
    }
    lane.inFlight = true;
    Duration interval = settings.minInterval(integration.kind());
    lane.nextAllowedAt = interval.isZero() ? null : now.plus(interval);
    int attempt = p.attempts() + 1;
    HttpRequest<Buffer> http =
        client
            .postAbs(request.get().url().toString())
            .timeout(integration.timeout().toMillis())
            .putHeader("Content-Type", "application/json");
    request.get().headers().forEach(http::putHeader);
    http.sendBuffer(Buffer.buffer(request.get().body()))
        .onComplete(ar -> context.runOnContext(v -> answered(lane, p, attempt, ar)));
  }

  private void answered(
      Lane lane, PendingDelivery p, int attempt, AsyncResult<HttpResponse<Buffer>> ar) {
    lane.inFlight = false;
    if (closed) {
      return;
    }
    Instant now = scheduler.now();
    if (ar.failed()) {
      failed(
          lane, p, attempt, null, redact(lane.integration, String.valueOf(ar.cause())), null, now);
    } else {
      HttpResponse<Buffer> response = ar.result();
      int status = response.statusCode();
      String body = response.body() == null ? "" : response.bodyAsString();
      if (status / 100 == 2) {
        Optional<String> refusal =
            lane.integration.refusal(response.getHeader("Content-Type"), body);
        if (refusal.isPresent()) {
          giveUp(lane, p, attempt, status, excerpt(refusal.get()));
        } else {
          delivered(lane, p, attempt, status, now);
        }
      } else if (status == 408 || status == 429 || status / 100 == 5) {
        Duration retryAfter = RetryAfter.parse(response.getHeader("Retry-After"), now);
        failed(lane, p, attempt, status, "HTTP " + status + answer(body), retryAfter, now);
      } else {
        giveUp(
            lane,
            p,
            attempt,
            status,
            "refused with HTTP " + status + answer(body) + ", not retried");
      }
    }
    pump(lane);
  }

  private void delivered(Lane lane, PendingDelivery p, int attempt, int status, Instant now) {
    DeliveryRecord step =
        step(
            p.notification(),
            lane.id,
            DeliveryRecord.Outcome.DELIVERED,
            attempt,
            status,
            null,
            now,
            null);
    lane.remove(p);
    remove(p);
    history(step);
    lane.succeeded(now);
    updateHealth();
  }

  private void failed(
      Lane lane,
      PendingDelivery p,
      int attempt,
      Integer status,
      String error,
      Duration retryAfter,
      Instant now) {
    Duration wait =
        retryAfter != null ? retryAfter : settings.backoff(attempt, random.nextDouble());
    DeliveryRecord step =
        step(
            p.notification(),
            lane.id,
            DeliveryRecord.Outcome.ATTEMPT_FAILED,
            attempt,
            status,
            error,
            now,
            now.plus(wait));
    PendingDelivery updated = p.failed(step);
    lane.replace(p, updated);
    table
        .put(updated.key(), updated)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn("could not record the failed attempt at {}: {}", lane.id, e.toString());
              }
            });
    history(step);
    LOG.debug(
        "notification {} to {}: {}; next attempt in {}",
        p.notification().id(),
        lane.id,
        error,
        wait);
    lane.failed(now, error, false);
    updateHealth();
  }

  private void giveUp(Lane lane, PendingDelivery p, int attempt, Integer status, String reason) {
    Instant now = scheduler.now();
    DeliveryRecord step =
        step(
            p.notification(),
            lane.id,
            DeliveryRecord.Outcome.GIVEN_UP,
            attempt,
            status,
            reason,
            now,
            null);
    lane.remove(p);
    LOG.warn("notification {} to {} given up: {}", p.notification().id(), lane.id, reason);
    deadLetter(p, step)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                remove(p);
              } else {
                LOG.error(
                    "could not dead-letter notification {} for {}; it stays in the outbox: {}",
                    p.notification().id(),
                    lane.id,
                    ar.cause().toString());
              }
            });
    history(step);
    lane.failed(now, reason, true);
    updateHealth();
  }

  private Future<Void> deadLetter(PendingDelivery p, DeliveryRecord step) {
    ObjectNode value = EventCodec.MAPPER.createObjectNode();
    value.put("reason", step.error());
    value.set(
        "delivery",
        EventCodec.MAPPER.valueToTree(
            new PendingDelivery(
                p.notification(),
                p.integration(),
                p.recordedAt(),
                p.sequence(),
                step.attempt(),
                null,
                step.error(),
                p.append(step))));
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            Topics.DEADLETTER,
            p.notification().groupKey().getBytes(StandardCharsets.UTF_8),
            value.toString().getBytes(StandardCharsets.UTF_8));
    header(record, DeadLetters.REASON, InvalidEventException.Reason.HANDLER_FAILED.value());
    header(record, DeadLetters.ERROR, step.error());
    header(record, DeadLetters.TOPIC, Topics.NOTIFICATIONS);
    header(record, DeadLetters.GROUP, DEAD_LETTER_GROUP);
    header(record, DeadLetters.TIME, step.at().toString());
    header(record, NOTIFICATION_ID_HEADER, p.notification().id());
    header(record, INTEGRATION_HEADER, p.integration());
    return publisher.send(record).mapEmpty();
  }

  private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
    record.headers().add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
  }

  private void remove(PendingDelivery p) {
    table
        .remove(p.key())
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn(
                    "could not remove {} from the outbox; it may be sent again after a restart: {}",
                    p.key(),
                    e.toString());
              }
            });
  }

  // ---- history, status, health ----

  private DeliveryRecord step(
      Notification n,
      String integration,
      DeliveryRecord.Outcome outcome,
      int attempt,
      Integer status,
      String error,
      Instant at,
      Instant next) {
    return new DeliveryRecord(
        n.id(), n.receiver(), integration, n.groupKey(), outcome, attempt, status, error, at, next);
  }

  private void history(DeliveryRecord step) {
    synchronized (recent) {
      recent.addFirst(step);
      while (recent.size() > RECENT) {
        recent.removeLast();
      }
    }
    CloudEvent event =
        CloudEvent.builder(DeliveryRecord.EVENT_TYPE)
            .source(DeliveryRecord.SOURCE)
            .time(step.at())
            .subject(step.integration())
            .data(EventCodec.MAPPER.valueToTree(step))
            .build();
    publisher
        .send(
            new ProducerRecord<>(
                Topics.NOTIFICATIONS,
                step.groupKey().getBytes(StandardCharsets.UTF_8),
                EventCodec.instance().encode(event)))
        .onFailure(
            e ->
                LOG.warn(
                    "could not append {} of {} to the history: {}",
                    step.outcome(),
                    step.notificationId(),
                    e.toString()));
  }

  private void updateHealth() {
    List<String> failing = new ArrayList<>();
    for (Lane lane : laneList) {
      if (lane.failing()) {
        failing.add(
            lane.id
                + ": "
                + lane.consecutiveFailures
                + " failed in a row since "
                + lane.failingSince
                + "; last error: "
                + lane.lastError);
      }
    }
    if (failing.isEmpty()) {
      if (!raised.isEmpty()) {
        LOG.info("every notification integration delivers again");
        health.clear(FAILING_CHECK);
      }
    } else if (!failing.equals(raised)) {
      health.raise(
          FAILING_CHECK,
          new HealthCheck(
              "HEALTH_WARN",
              failing.size()
                  + " notification "
                  + (failing.size() == 1 ? "integration" : "integrations")
                  + " failing",
              failing));
    }
    raised = failing;
  }

  /** How every integration is doing, in the order of the configuration. Thread-safe. */
  public List<ReceiverStatus> receivers() {
    List<ReceiverStatus> out = new ArrayList<>();
    for (Lane lane : laneList) {
      Integration i = lane.integration;
      out.add(
          new ReceiverStatus(
              i == null ? lane.id.split("/", 2)[0] : i.receiver(),
              lane.id,
              i == null ? "unknown" : i.kind().key(),
              i == null ? null : i.url().getHost(),
              lane.lastSuccess,
              lane.lastFailure,
              lane.lastError,
              lane.consecutiveFailures,
              lane.queued,
              lane.failing()));
    }
    return out;
  }

  /**
   * The latest history records, newest first, at most {@code max} (and {@value #RECENT}). After a
   * start, this holds the history of the deliveries still pending; the full history is in {@link
   * Topics#NOTIFICATIONS}.
   */
  public List<DeliveryRecord> recent(int max) {
    synchronized (recent) {
      return recent.stream().limit(Math.max(0, max)).toList();
    }
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
    return testEach(receiverName)
        .compose(
            results -> {
              if (results.isEmpty()) {
                return Future.failedFuture(
                    new IllegalArgumentException(
                        "receiver " + receiverName + " has no integration to send to"));
              }
              List<DeliveryRecord> failed =
                  results.stream()
                      .filter(r -> r.outcome() != DeliveryRecord.Outcome.DELIVERED)
                      .toList();
              DeliveryRecord last = results.get(results.size() - 1);
              List<DeliveryRecord> named = failed.isEmpty() ? results : failed;
              return Future.succeededFuture(
                  new DeliveryRecord(
                      last.notificationId(),
                      last.receiver(),
                      String.join(", ", named.stream().map(DeliveryRecord::integration).toList()),
                      last.groupKey(),
                      failed.isEmpty()
                          ? DeliveryRecord.Outcome.DELIVERED
                          : DeliveryRecord.Outcome.ATTEMPT_FAILED,
                      1,
                      failed.isEmpty() ? last.status() : failed.get(0).status(),
                      failed.isEmpty()
                          ? null
                          : String.join(
                              "; ",
                              failed.stream()
                                  .map(r -> r.integration() + ": " + r.error())
                                  .toList()),
                      last.at(),
                      null));
            });
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
    return onContext(
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
          Notification n = testNotification(receiverName, now);
          List<Future<DeliveryRecord>> sent = new ArrayList<>();
          for (Integration i : Integration.of(receiver)) {
            sent.add(sendTest(i, n, now));
          }
          return Future.all(sent).map(all -> sent.stream().map(Future::result).toList());
        });
  }

  private static Notification testNotification(String receiver, Instant now) {
    Alert alert =
        new Alert(
            Map.of("type", "io.valentia.notification.test", "severity", "info"),
            Map.of(
                "summary",
                "Test notification from Valentia",
                "description",
                "Sent on request to check the receiver " + receiver + "."),
            now,
            null,
            null);
    return new Notification(
        "test-" + UUID.randomUUID(),
        receiver,
        "{}:{test=\"" + receiver + "\"}",
        Map.of(),
        List.of(alert),
        now);
  }

  private Future<DeliveryRecord> sendTest(Integration i, Notification n, Instant now) {
    Integration.Request request = i.request(n, externalUrl, now).orElseThrow();
    HttpRequest<Buffer> http =
        client
            .postAbs(request.url().toString())
            .timeout(i.timeout().toMillis())
            .putHeader("Content-Type", "application/json");
    request.headers().forEach(http::putHeader);
    return http.sendBuffer(Buffer.buffer(request.body()))
        .transform(
            ar -> {
              Integer status = ar.succeeded() ? ar.result().statusCode() : null;
              String error;
              if (ar.failed()) {
                error = redact(i, String.valueOf(ar.cause()));
              } else if (status / 100 != 2) {
                error = "HTTP " + status + answer(ar.result().bodyAsString());
              } else {
                error =
                    i.refusal(ar.result().getHeader("Content-Type"), ar.result().bodyAsString())
                        .orElse(null);
              }
              Instant at = scheduler.now();
              DeliveryRecord step =
                  step(
                      n,
                      i.id(),
                      error == null
                          ? DeliveryRecord.Outcome.DELIVERED
                          : DeliveryRecord.Outcome.ATTEMPT_FAILED,
                      1,
                      status,
                      error,
                      at,
                      null);
              history(step);
              Lane lane = lanes.get(i.id());
              if (error == null) {
                lane.succeeded(at);
              } else {
                lane.failed(at, error, false);
              }
              updateHealth();
              return Future.succeededFuture(step);
            });
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
          if (!raised.isEmpty()) {
            health.clear(FAILING_CHECK);
            raised = List.of();
          }
          if (client != null) {
            client.close();
          }
          done.complete();
        });
    return done.future();
  }

  // ---- helpers ----

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return call(action);
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> call(action).onComplete(promise));
    return promise.future();
  }

  private static <T> Future<T> call(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static String answer(String body) {
    String b = body == null ? "" : body.strip();
    return b.isEmpty() ? "" : ": " + excerpt(b);
  }

  private static String excerpt(String text) {
    return text.length() <= ERROR_BODY ? text : text.substring(0, ERROR_BODY) + "…";
  }

  /** Leaves the URL's path and query (where webhook secrets live) out of an error. */
  private static String redact(Integration integration, String error) {
    String redacted = error;
    String query = integration.url().getRawQuery();
    if (query != null && !query.isEmpty()) {
      redacted = redacted.replace(query, "…");
    }
    String path = integration.url().getRawPath();
    return path == null || path.length() <= 1 ? redacted : redacted.replace(path, "/…");
  }

  /** One integration's queue and how it is doing; used on the outbox's context. */
  private final class Lane {
    final String id;
    final Integration integration; // null when no longer configured
    final TreeMap<Long, PendingDelivery> queue = new TreeMap<>();
    final TreeSet<Long> recording = new TreeSet<>();
    final Set<String> known = new HashSet<>();
    boolean inFlight;
    Instant nextAllowedAt;
    volatile Scheduler.Cancellable wake;
    volatile int queued;
    volatile Instant lastSuccess;
    volatile Instant lastFailure;
    volatile Instant failingSince;
    volatile String lastError;
    volatile int consecutiveFailures;
    volatile boolean givenUpSinceSuccess;

    Lane(String id, Integration integration) {
      this.id = id;
      this.integration = integration;
    }

    PendingDelivery head() {
      var first = queue.firstEntry();
      return first == null ? null : first.getValue();
    }

    void add(PendingDelivery p) {
      queue.put(p.sequence(), p);
      known.add(p.key());
      queued = queue.size();
    }

    void replace(PendingDelivery before, PendingDelivery after) {
      queue.put(after.sequence(), after);
    }

    void remove(PendingDelivery p) {
      queue.remove(p.sequence());
      known.remove(p.key());
      queued = queue.size();
    }

    void wake(Instant at, Instant now, Runnable task) {
      cancelWake();
      Duration delay = Duration.between(now, at);
      wake =
          scheduler.schedule(
              delay.isNegative() ? Duration.ZERO : delay,
              () ->
                  context.runOnContext(
                      v -> {
                        wake = null;
                        task.run();
                      }));
    }

    void cancelWake() {
      Scheduler.Cancellable w = wake;
      wake = null;
      if (w != null) {
        w.cancel();
      }
    }

    void succeeded(Instant now) {
      lastSuccess = now;
      consecutiveFailures = 0;
      givenUpSinceSuccess = false;
      failingSince = null;
    }

    void failed(Instant now, String error, boolean givenUp) {
      lastFailure = now;
      lastError = error;
      consecutiveFailures++;
      if (failingSince == null) {
        failingSince = now;
      }
      givenUpSinceSuccess |= givenUp;
    }

    /** Whether it counts as failing; a queue of an integration no longer configured never does. */
    boolean failing() {
      if (integration == null) {
        return false;
      }
      return givenUpSinceSuccess || consecutiveFailures >= settings.failingAfter();
    }
  }
}
