package io.valentia.bench;

import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import io.valentia.notifications.delivery.DeliverySettings;
import io.valentia.notifications.delivery.Outbox;
import io.valentia.notifications.delivery.PendingDelivery;
import io.valentia.notifications.delivery.ReceiverStatus;
import io.valentia.notifications.receiver.Integration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A webhook receiver down for a long stretch (an hour by default) gets every notification once it
 * is back, in order, none twice. The real {@link Outbox} on an embedded broker ({@code
 * valentia.state.outbox}) with the default delivery settings (back-off from 1 s doubling to 5 m,
 * jitter 0.2, give up after 24 h) sends to a real Vert.x HTTP receiver that answers 503 until the
 * outage ends, then 200. The outbox's clock is a {@link SimulatedClock} moved 5 s at a time (once
 * the outbox is idle, waiting for a timer), so the simulated hour passes in seconds; the
 * notifications are recorded evenly over the outage. With {@code --restart}, the outbox is closed
 * half-way through and a new one (new state tables) takes the pending deliveries back from the
 * state topic.
 *
 * <p>Usage: {@code java -cp bench/target/valentia-bench.jar
 * io.valentia.bench.NotificationOutageBenchmark [--notifications 1000] [--down 1h] [--restart]}.
 */
public final class NotificationOutageBenchmark {
  private static final Duration STEP = Duration.ofSeconds(5);
  private static final URI EXTERNAL = URI.create("https://valentia.example");

  private NotificationOutageBenchmark() {}

  /** One request the receiver got: which notification, the answer, when (simulated). */
  record Request(String notificationId, int status, Instant at) {}

  public static void main(String[] args) throws Exception {
    int count = 1_000;
    Duration down = Duration.ofHours(1);
    boolean restart = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--notifications" -> count = Integer.parseInt(args[++i]);
        case "--down" -> down = Durations.parse(args[++i]);
        case "--restart" -> restart = true;
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + "; usage: [--notifications N] [--down 1h] [--restart]");
      }
    }
    String loadBefore = NotificationLatencyBenchmark.loadAverage();
    Path work = Files.createTempDirectory("valentia-outage-bench");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), 0)) {
      KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers());
      new TopicProvisioner(kafka).ensureTopics(Duration.ofSeconds(60));
      SimulatedClock clock = new SimulatedClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
      Instant start = clock.now();
      Instant downUntil = start.plus(down);
      List<Request> requests = new CopyOnWriteArrayList<>();
      HttpServer server =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.body()
                          .onComplete(
                              body -> {
                                Instant now = clock.now();
                                int status = now.isBefore(downUntil) ? 503 : 200;
                                requests.add(
                                    new Request(
                                        req.getHeader(Integration.NOTIFICATION_ID_HEADER),
                                        status,
                                        now));
                                req.response().setStatusCode(status).end();
                              }))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      ReceiverConfig receiver =
          new ReceiverConfig(
              "on-call",
              List.of(),
              List.of(),
              List.of(),
              List.of(
                  new ReceiverConfig.Webhook(
                      URI.create("http://127.0.0.1:" + server.actualPort() + "/hook"),
                      true,
                      0,
                      null,
                      null)));
      DeliverySettings settings = DeliverySettings.defaults();
      BenchServiceContext.Health health = new BenchServiceContext.Health();
      KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, kafka, "outage-bench");
      StateTables tables = new StateTables(kafka);
      Outbox outbox =
          new Outbox(
              vertx, tables, publisher, List.of(receiver), EXTERNAL, settings, health, clock);
      get(outbox.start());

      List<String> ids = new ArrayList<>();
      long realStart = System.nanoTime();
      boolean restarted = false;
      int restartedWith = 0;
      long enqueueNanos = 0;
      while (clock.now().isBefore(downUntil)) {
        // the notifications falling due by now (simulated), evenly over the outage, the last at
        // the last step before it ends
        long elapsed = Duration.between(start, clock.now()).toMillis();
        int due = (int) Math.min(count, (elapsed * count) / down.minus(STEP).toMillis() + 1);
        while (ids.size() < due) {
          Notification n = notification(ids.size() + 1, receiver.name(), clock.now());
          ids.add(n.id());
          long t = System.nanoTime();
          get(outbox.enqueue(n));
          enqueueNanos += System.nanoTime() - t;
        }
        if (restart && !restarted && !clock.now().isBefore(start.plus(down.dividedBy(2)))) {
          Outbox current = outbox;
          awaitIdle(clock, () -> current.receivers());
          get(outbox.close());
          tables.close();
          tables = new StateTables(kafka);
          outbox =
              new Outbox(
                  vertx, tables, publisher, List.of(receiver), EXTERNAL, settings, health, clock);
          get(outbox.start());
          restartedWith = queued(outbox);
          restarted = true;
        }
        clock.advance(STEP);
        Outbox current = outbox;
        awaitIdle(clock, () -> current.receivers());
      }
      boolean checkRaised = health.checks().containsKey(Outbox.FAILING_CHECK);
      int attemptsDuringOutage = requests.size();
      Set<String> refusedIds = new HashSet<>();
      requests.forEach(r -> refusedIds.add(r.notificationId()));

      // the receiver is back: time moves on until every notification is delivered
      long recoveredAt = System.nanoTime();
      Instant lastDelivered = null;
      Outbox current = outbox;
      while (delivered(requests).size() < count) {
        if (System.nanoTime() - recoveredAt > TimeUnit.MINUTES.toNanos(5)) {
          break;
        }
        awaitIdle(clock, () -> current.receivers());
        if (delivered(requests).size() >= count) {
          break;
        }
        clock.advance(STEP);
      }
      long drainedAt = System.nanoTime();
      for (Request r : requests) {
        if (r.status() == 200) {
          lastDelivered = r.at();
        }
      }
      waitUntil(() -> !health.checks().containsKey(Outbox.FAILING_CHECK), 10_000);
      // every delivered notification leaves the state topic (a tombstone): read it back
      int pendingLeft;
      double tombstonedAfter;
      try (io.valentia.eventbus.kafka.StateTable<PendingDelivery> check =
          io.valentia.eventbus.kafka.StateTable.open(
              kafka, io.valentia.eventbus.Topics.STATE_OUTBOX, PendingDelivery.class)) {
        check.restored().get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.snapshot().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        pendingLeft = check.snapshot().size();
        tombstonedAfter = (System.nanoTime() - recoveredAt) / 1e9;
      }

      List<String> deliveredIds = delivered(requests);
      Set<String> distinct = new HashSet<>(deliveredIds);
      int firstDelivered = -1;
      for (int i = 0; i < requests.size(); i++) {
        if (requests.get(i).status() == 200) {
          firstDelivered = i;
          break;
        }
      }
      long okBeforeRecovery =
          requests.stream().filter(r -> r.status() == 200 && r.at().isBefore(downUntil)).count();
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              Locale.ROOT,
              "%n| measure | value |%n|---|---|%n"
                  + "| receiver down (simulated) | %s |%n"
                  + "| notifications recorded during the outage | %,d |%n"
                  + "| outbox restarted half-way | %s |%n"
                  + "| attempts during the outage (all 503) | %,d, for %d notification(s): %s |%n"
                  + "| %s raised during the outage | %s |%n"
                  + "| delivered after recovery | %,d of %,d |%n"
                  + "| delivered before recovery | %,d |%n"
                  + "| attempts in all | %,d |%n"
                  + "| order kept (delivered ids = recorded order) | %s |%n"
                  + "| delivered twice | %,d |%n"
                  + "| first delivery after recovery (simulated) | %s |%n"
                  + "| last delivery after recovery (simulated) | %s |%n"
                  + "| drain after recovery (real time) | %.1f s |%n"
                  + "| whole run, hour included (real time) | %.1f s |%n"
                  + "| recording the notifications (real time, summed) | %.1f s |%n"
                  + "| queued at the end | %,d |%n"
                  + "| left in valentia.state.outbox (read back %.1f s after recovery) | %,d |%n"
                  + "| %s cleared after recovery | %s |%n",
              Durations.format(down),
              ids.size(),
              restart ? "yes: the new outbox took back " + restartedWith + " pending" : "no",
              attemptsDuringOutage,
              refusedIds.size(),
              refusedIds.size() == 1 && refusedIds.contains(ids.get(0))
                  ? "the first (the queue's head)"
                  : refusedIds,
              Outbox.FAILING_CHECK,
              checkRaised ? "yes" : "no",
              distinct.size(),
              count,
              okBeforeRecovery,
              requests.size(),
              deliveredIds.equals(ids) ? "yes" : "no",
              deliveredIds.size() - distinct.size(),
              firstDelivered < 0
                  ? "n/a"
                  : "+" + Duration.between(downUntil, requests.get(firstDelivered).at()),
              lastDelivered == null ? "n/a" : "+" + Duration.between(downUntil, lastDelivered),
              (drainedAt - recoveredAt) / 1e9,
              (drainedAt - realStart) / 1e9,
              enqueueNanos / 1e9,
              queued(outbox),
              tombstonedAfter,
              pendingLeft,
              Outbox.FAILING_CHECK,
              health.checks().containsKey(Outbox.FAILING_CHECK) ? "no" : "yes"));
      out.append(
          String.format(
              Locale.ROOT,
              "%nJDK %s, %d cores; load average before: %s, after: %s%n",
              System.getProperty("java.version"),
              Runtime.getRuntime().availableProcessors(),
              loadBefore,
              NotificationLatencyBenchmark.loadAverage()));
      System.out.print(out);
      get(outbox.close());
      tables.close();
      publisher.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      IndexingBenchmark.deleteTree(work);
    }
  }

  private static List<String> delivered(List<Request> requests) {
    return requests.stream().filter(r -> r.status() == 200).map(Request::notificationId).toList();
  }

  private static int queued(Outbox outbox) {
    return outbox.receivers().stream().mapToInt(ReceiverStatus::queued).sum();
  }

  /**
   * Until nothing is in flight: every integration with a queue waits for a timer of the clock (as
   * OutboxIT's {@code awaitIdle}).
   */
  private static void awaitIdle(
      SimulatedClock clock, java.util.function.Supplier<List<ReceiverStatus>> receivers)
      throws InterruptedException {
    waitUntil(
        () -> receivers.get().stream().filter(s -> s.queued() > 0).count() <= clock.scheduled(),
        120_000);
  }

  private static void waitUntil(BooleanSupplier condition, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for the outbox");
      }
      Thread.sleep(2);
    }
  }

  private static Notification notification(int i, String receiver, Instant now) {
    String id = String.format(Locale.ROOT, "n-%06d", i);
    String incident = "inc-" + i;
    Alert alert =
        new Alert(
            Map.of(
                "type",
                "io.valentia.incident.opened.v1",
                "severity",
                "critical",
                "incident",
                incident),
            Map.of("summary", "Incident " + incident + " opened"),
            now,
            null,
            null);
    return new Notification(
        id,
        receiver,
        "{}:{incident=\"" + incident + "\"}",
        Map.of("incident", incident),
        List.of(alert),
        now);
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
