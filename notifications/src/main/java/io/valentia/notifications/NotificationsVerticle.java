package io.valentia.notifications;

import io.valentia.eventbus.ReceivedEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaEventSubscriber;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.NotificationsConfig;
import io.valentia.notifications.delivery.Outbox;
import io.valentia.notifications.dispatch.Dispatcher;
import io.valentia.notifications.dispatch.GroupState;
import io.valentia.notifications.events.EventAlerts;
import io.valentia.notifications.silence.Silence;
import io.valentia.notifications.silence.Silences;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the notification pipeline on one Vert.x context: Valentia's events become alerts ({@link
 * EventAlerts}), the {@link Dispatcher} groups, inhibits, silences and flushes them as Alertmanager
 * does, and each flushed notification is handed to the durable {@link Outbox}.
 *
 * <p>Nothing is lost across {@code kill -9}: an event's offset is committed only after the groups
 * it changed are in {@link Topics#STATE_NOTIFICATION_GROUPS}; a flush writes its notifications to
 * the outbox before it writes the groups that say they were sent. A crash between the two sends a
 * notification again (at least once, with the same id), never not at all.
 */
public final class NotificationsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationsVerticle.class);

  /** The consumer group that reads the events notifications are raised from. */
  public static final String GROUP = "valentia-notifications";

  private static final long TICK_MS = 200;
  private static final java.time.Duration ASSIGNMENT_WAIT = java.time.Duration.ofSeconds(10);

  private final NotificationsConfig config;
  private final KafkaSettings kafka;
  private final KafkaEventPublisher publisher;
  private final StateTables tables;
  private final HealthRegistry health;
  private final Outbox outbox;
  private final Clock clock;
  private final Silences silences = new Silences();
  private final List<Notification> flushed = new ArrayList<>();
  private final Map<String, GroupState> changed = new LinkedHashMap<>();
  private final java.util.Set<String> inFlight = new java.util.HashSet<>();
  private io.vertx.core.Context context;
  private Dispatcher dispatcher;
  private EventAlerts eventAlerts;
  private StateTable<GroupState> groups;
  private StateTable<Silence> silenceTable;
  private KafkaEventSubscriber subscriber;
  private long timer = -1;
  private boolean flushing;

  public NotificationsVerticle(
      NotificationsConfig config,
      KafkaSettings kafka,
      KafkaEventPublisher publisher,
      StateTables tables,
      HealthRegistry health,
      Outbox outbox,
      Clock clock) {
    this.config = config;
    this.kafka = kafka;
    this.publisher = publisher;
    this.tables = tables;
    this.health = health;
    this.outbox = outbox;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    eventAlerts = new EventAlerts(config.externalUrl());
    dispatcher = new Dispatcher(config, silences, flushed::add);
    dispatcher.setGroupListener(changed::put);
    return vertx
        .executeBlocking(this::restore)
        .compose(v -> outbox.start())
        .compose(v -> onContext(() -> null)) // the rest runs on this verticle's context
        .compose(
            v -> {
              subscriber =
                  KafkaEventSubscriber.start(
                      vertx,
                      kafka,
                      KafkaEventSubscriber.Options.of(GROUP, Topics.EVENTS)
                          .withFromBeginning(false)
                          .withTypes(EventAlerts.TYPES),
                      this::onEvent,
                      publisher);
              timer = vertx.setPeriodic(TICK_MS, id -> tick());
              // a new group starts at the end of the log: ready once it knows where that is
              return Future.fromCompletionStage(
                      subscriber
                          .firstAssignment()
                          .completeOnTimeout(
                              null, ASSIGNMENT_WAIT.toMillis(), TimeUnit.MILLISECONDS),
                      context)
                  .onSuccess(
                      a ->
                          health.service(
                              "notifications",
                              ServiceStatus.running(
                                  config.receivers().size()
                                      + " receiver(s), "
                                      + dispatcher.groups().size()
                                      + " group(s)")));
            });
  }

  /** Reads the groups and silences back and hands them to the dispatcher. */
  private Void restore() {
    groups = tables.open(Topics.STATE_NOTIFICATION_GROUPS, GroupState.class);
    silenceTable = tables.open(Topics.STATE_SILENCES, Silence.class);
    StateMigration.await(groups.restored(), "read " + Topics.STATE_NOTIFICATION_GROUPS);
    StateMigration.await(silenceTable.restored(), "read " + Topics.STATE_SILENCES);
    List<Silence> known = List.copyOf(silenceTable.snapshot().values());
    silenceTable.listen(
        (key, before, silence) ->
            context.runOnContext(
                v -> {
                  if (silence != null) {
                    silences.put(silence);
                  }
                }));
    List<GroupState> states = List.copyOf(groups.snapshot().values());
    List<Alert> alerts = new ArrayList<>();
    states.forEach(g -> alerts.addAll(g.alerts()));
    context.runOnContext(
        v -> {
          known.forEach(silences::put);
          dispatcher.restore(states);
          eventAlerts.restore(alerts);
        });
    return null;
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Void> closing = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return closing.eventually(() -> outbox.close());
  }

  /** The groups as they stand, for the API. */
  public Future<List<GroupState>> groups() {
    return onContext(() -> List.copyOf(dispatcher.groups()));
  }

  /** Every silence, in force, pending or expired, for the API. */
  public Future<List<Silence>> silences() {
    return onContext(() -> List.copyOf(silences.list()));
  }

  /** The silence with {@code id}, if any. */
  public Future<Optional<Silence>> silence(String id) {
    return onContext(() -> silences.get(id));
  }

  /**
   * Adds or replaces a silence: written to its state topic first, so that it outlives the process,
   * then in force here.
   */
  public Future<Silence> putSilence(Silence silence) {
    return Future.fromCompletionStage(silenceTable.put(silence.id(), silence))
        .compose(
            v ->
                onContext(
                    () -> {
                      silences.put(silence);
                      return silence;
                    }));
  }

  /** The outbox, for the receivers' state, the delivery log and test messages. */
  public Outbox outbox() {
    return outbox;
  }

  /** The configuration this pipeline runs with. */
  public NotificationsConfig notificationsConfig() {
    return config;
  }

  /** Runs {@code work} on this verticle's context, where the dispatcher and silences live. */
  private <T> Future<T> onContext(java.util.concurrent.Callable<T> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(
        v -> {
          T result;
          try {
            result = work.call();
          } catch (Exception e) {
            promise.fail(e);
            return;
          }
          promise.complete(result);
        });
    return promise.future();
  }

  private Future<Void> onEvent(ReceivedEvent received) {
    List<Alert> alerts;
    try {
      alerts = eventAlerts.on(received.event());
    } catch (IllegalArgumentException e) {
      LOG.warn("event {} raises no notification: {}", received.event().id(), e.getMessage());
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    LOG.debug(
        "event {} ({}) raises {} alert(s)",
        received.event().id(),
        received.event().type(),
        alerts.size());
    for (Alert alert : alerts) {
      dispatcher.put(alert, now);
    }
    return persistGroups();
  }

  /**
   * Flushes what is due: the notifications go to the outbox first, in order, then the groups that
   * record them as sent. While a flush is being recorded, the groups it changed are not written (an
   * event handled meanwhile writes only the others), so no group says "sent" before its
   * notification is in the outbox. A notification the outbox did not take is tried again at the
   * next tick.
   */
  private void tick() {
    if (flushing) {
      return;
    }
    dispatcher.tick(clock.instant());
    if (flushed.isEmpty() && changed.isEmpty()) {
      return;
    }
    flushing = true;
    List<Notification> batch = List.copyOf(flushed);
    LOG.debug("{} notification(s) flushed, {} group(s) changed", batch.size(), changed.size());
    flushed.clear();
    inFlight.addAll(changed.keySet());
    // all at once: the outbox numbers them in the order of these calls and sends in that order
    List<Future<Void>> recorded = new ArrayList<>(batch.size());
    for (Notification n : batch) {
      recorded.add(outbox.enqueue(n));
    }
    Future.join(recorded)
        .onComplete(
            all -> {
              List<Notification> failed = new ArrayList<>();
              for (int i = 0; i < batch.size(); i++) {
                if (recorded.get(i).failed()) {
                  failed.add(batch.get(i));
                }
              }
              if (failed.isEmpty()) {
                inFlight.clear();
              } else {
                LOG.warn(
                    "{} of {} notification(s) not recorded in the outbox yet ({}); tried again",
                    failed.size(),
                    batch.size(),
                    recorded.stream()
                        .filter(Future::failed)
                        .findFirst()
                        .map(f -> f.cause().toString())
                        .orElse(""));
                flushed.addAll(0, failed);
              }
              persistGroups()
                  .onComplete(
                      written -> {
                        flushing = false;
                        if (written.failed()) {
                          LOG.warn(
                              "groups not stored, tried again: {}", written.cause().toString());
                        }
                      });
            });
  }

  /**
   * Writes the changed groups to their state topic, except those of a flush still being recorded;
   * completes on this verticle's context.
   */
  private Future<Void> persistGroups() {
    if (changed.isEmpty()) {
      return Future.succeededFuture();
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    Map<String, GroupState> written = new LinkedHashMap<>();
    for (var it = changed.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, GroupState> group = it.next();
      if (inFlight.contains(group.getKey())) {
        continue;
      }
      writes.add(
          group.getValue() == null
              ? groups.remove(group.getKey())
              : groups.put(group.getKey(), group.getValue()));
      written.put(group.getKey(), group.getValue());
      it.remove();
    }
    Promise<Void> promise = Promise.promise();
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) ->
                context.runOnContext(
                    x -> {
                      if (e != null) {
                        // written again next time, unless a newer state replaced it meanwhile
                        written.forEach(changed::putIfAbsent);
                        promise.fail(e);
                      } else {
                        promise.complete();
                      }
                    }));
    return promise.future();
  }
}
