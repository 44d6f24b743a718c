package io.valentia.notifications.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import io.valentia.notifications.receiver.DiscordMessage;
import io.valentia.notifications.receiver.Integration;
import io.valentia.notifications.receiver.MattermostMessage;
import io.valentia.notifications.receiver.SlackMessage;
import io.valentia.notifications.receiver.WebhookMessage;
import io.valentia.notifications.receiver.WebhookSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The notification outbox, against Kafka and real HTTP receivers")
class OutboxIT {
  private static final URI EXTERNAL = URI.create("https://valentia.example");
  private static final Duration STEP = Duration.ofSeconds(5);

  private static Vertx vertx;
  private static KafkaSettings kafka;
  private static KafkaEventPublisher publisher;

  private FakeReceiver receiver;
  private SimulatedTime time;
  private RecordingHealth health;
  private StateTables tables;
  private Outbox outbox;
  private String run;

  @BeforeAll
  static void startKafka() {
    vertx = Vertx.vertx();
    kafka = KafkaTestSupport.settings();
    publisher = new KafkaEventPublisher(vertx, kafka, "outbox-it");
  }

  @AfterAll
  static void stopAll() throws Exception {
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() throws Exception {
    receiver = new FakeReceiver(vertx);
    time = new SimulatedTime(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    health = new RecordingHealth();
    tables = new StateTables(kafka);
    run = UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (outbox != null) {
      get(outbox.close());
    }
    tables.close();
    receiver.close();
  }

  @Test
  @DisplayName("Sends each kind of receiver its exact message, signed webhooks verifiable")
  void exactMessages() throws Exception {
    ReceiverConfig.Slack slack =
        new ReceiverConfig.Slack(
            receiver.url("/services/T0/B0/X"), "#storage", null, null, null, null, null, false);
    ReceiverConfig.Mattermost mattermost =
        new ReceiverConfig.Mattermost(receiver.url("/hooks/mm"), null, null, null, null, true);
    ReceiverConfig.Discord discord =
        new ReceiverConfig.Discord(receiver.url("/api/webhooks/1/t"), null, null, true);
    ReceiverConfig.Webhook webhook =
        new ReceiverConfig.Webhook(receiver.url("/alert"), true, 0, "s3cret", null);
    ReceiverConfig config =
        new ReceiverConfig(
            "all-" + run, List.of(slack), List.of(mattermost), List.of(discord), List.of(webhook));
    outbox = open(List.of(config), settings());
    Notification n = incident("n-" + run, config.name());

    get(outbox.enqueue(n));

    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received.size() == 4);
    FakeReceiver.Received toSlack = receiver.at("/services/T0/B0/X").get(0);
    assertThat(json(toSlack.body())).isEqualTo(SlackMessage.render(slack, firingOnly(n), EXTERNAL));
    assertThat(json(toSlack.body()).path("text").asText()).isEqualTo("[FIRING:1] MTU mismatch");
    assertThat(toSlack.headers().get("Content-Type")).isEqualTo("application/json");
    FakeReceiver.Received toMattermost = receiver.at("/hooks/mm").get(0);
    assertThat(json(toMattermost.body()))
        .isEqualTo(MattermostMessage.render(mattermost, n, EXTERNAL));
    FakeReceiver.Received toDiscord = receiver.at("/api/webhooks/1/t").get(0);
    assertThat(json(toDiscord.body())).isEqualTo(DiscordMessage.render(discord, n, EXTERNAL));
    FakeReceiver.Received toWebhook = receiver.at("/alert").get(0);
    JsonNode payload = json(toWebhook.body());
    assertThat(payload).isEqualTo(WebhookMessage.render(webhook, n, EXTERNAL));
    assertThat(payload.path("version").asText()).isEqualTo("4");
    assertThat(payload.path("status").asText()).isEqualTo("firing");
    assertThat(payload.path("alerts").get(0).path("endsAt").asText())
        .isEqualTo("0001-01-01T00:00:00Z");
    assertThat(payload.path("alerts").get(1).path("status").asText()).isEqualTo("resolved");
    assertThat(
            WebhookSignature.verify(
                "s3cret",
                toWebhook.headers().get(Integration.TIMESTAMP_HEADER),
                toWebhook.body().getBytes(StandardCharsets.UTF_8),
                toWebhook.headers().get(Integration.SIGNATURE_HEADER)))
        .isTrue();
    assertThat(toWebhook.headers().get(Integration.IDEMPOTENCY_KEY_HEADER)).isEqualTo(n.id());
    assertThat(receiver.received).allSatisfy(r -> assertThat(r.notificationId()).isEqualTo(n.id()));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(history(n.id()))
                    .extracting(h -> h.path("data").path("outcome").asText())
                    .containsExactlyInAnyOrder(
                        "recorded",
                        "recorded",
                        "recorded",
                        "recorded",
                        "delivered",
                        "delivered",
                        "delivered",
                        "delivered"));
    assertThat(history(n.id()))
        .allSatisfy(
            h -> {
              assertThat(h.path("type").asText()).isEqualTo(DeliveryRecord.EVENT_TYPE);
              assertThat(h.path("data").path("groupKey").asText()).isEqualTo(n.groupKey());
            });
    await().atMost(Duration.ofSeconds(30)).until(() -> pendingOf(n.id()).isEmpty());
    assertThat(outbox.receivers().stream().filter(s -> s.receiver().equals(config.name())))
        .hasSize(4)
        .allSatisfy(
            s -> {
              assertThat(s.lastSuccess()).isEqualTo(time.now());
              assertThat(s.queued()).isZero();
              assertThat(s.failing()).isFalse();
            });
    assertThat(outbox.recent(4))
        .extracting(DeliveryRecord::outcome)
        .containsOnly(DeliveryRecord.Outcome.DELIVERED);
  }

  @Test
  @DisplayName(
      "Delivers everything in order once a receiver down for ten minutes comes back,"
          + " while the other receivers go on")
  void downForTenMinutes() throws Exception {
    ReceiverConfig down = webhookReceiver("down-" + run, "/down");
    ReceiverConfig up = webhookReceiver("up-" + run, "/up");
    outbox = open(List.of(down, up), settings());
    Instant downUntil = time.now().plus(Duration.ofMinutes(10));
    receiver.answer(
        r ->
            r.path().equals("/down") && time.now().isBefore(downUntil)
                ? FakeReceiver.Answer.status(503)
                : FakeReceiver.Answer.ok());
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      Notification n = notification("down-" + i + "-" + run, down.name(), "{}:{group=\"g\"}");
      ids.add(n.id());
      get(outbox.enqueue(n));
    }

    List<String> others = new ArrayList<>();
    while (time.now().isBefore(downUntil)) {
      time.advance(STEP);
      awaitIdle();
      if (others.isEmpty() && time.now().isAfter(downUntil.minus(Duration.ofMinutes(8)))) {
        for (int i = 1; i <= 3; i++) {
          Notification n = notification("up-" + i + "-" + run, up.name(), "{}:{group=\"u\"}");
          others.add(n.id());
          get(outbox.enqueue(n));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/up").size() == 3);
        assertThat(receiver.at("/down")).allSatisfy(r -> assertThat(r.answered()).isEqualTo(503));
      }
    }

    List<FakeReceiver.Received> refused = receiver.at("/down");
    assertThat(refused.size()).isGreaterThanOrEqualTo(6);
    assertThat(refused)
        .allSatisfy(r -> assertThat(r.notificationId()).isEqualTo(ids.get(0)))
        .allSatisfy(r -> assertThat(r.answered()).isEqualTo(503));
    assertThat(receiver.at("/up"))
        .extracting(FakeReceiver.Received::notificationId)
        .containsExactlyElementsOf(others);
    assertThat(health.checks).containsKey(Outbox.FAILING_CHECK);
    assertThat(health.checks.get(Outbox.FAILING_CHECK).detail())
        .singleElement()
        .asString()
        .startsWith(down.name() + "/webhook/0: ");
    ReceiverStatus status = statusOf(down.name());
    assertThat(status.queued()).isEqualTo(5);
    assertThat(status.consecutiveFailures()).isEqualTo(refused.size());
    assertThat(status.lastError()).contains("HTTP 503");

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              time.advance(STEP);
              return deliveredAt("/down").size() >= 5;
            });

    assertThat(deliveredAt("/down")).containsExactlyElementsOf(ids);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !health.checks.containsKey(Outbox.FAILING_CHECK));
    assertThat(statusOf(down.name()).queued()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> pendingOf("down-").isEmpty());
  }

  @Test
  @DisplayName("Waits as long as a 429's Retry-After says, then sends the same message again")
  void retryAfter() throws Exception {
    ReceiverConfig limited = webhookReceiver("limited-" + run, "/limited");
    outbox = open(List.of(limited), settings());
    receiver.answer(
        r ->
            receiver.at("/limited").isEmpty()
                ? new FakeReceiver.Answer(429, Map.of("Retry-After", "120"), "slow down")
                : FakeReceiver.Answer.ok());
    Notification n = notification("limited-" + run, limited.name(), "{}:{}");
    Instant start = time.now();

    get(outbox.enqueue(n));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                outbox.recent(10).stream()
                    .anyMatch(r -> r.outcome() == DeliveryRecord.Outcome.ATTEMPT_FAILED));
    DeliveryRecord failed = outbox.recent(1).get(0);
    assertThat(failed.status()).isEqualTo(429);
    assertThat(failed.nextAttemptAt()).isEqualTo(start.plusSeconds(120));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> start.plusSeconds(120).equals(time.nextDue()));

    time.advance(Duration.ofSeconds(119));
    assertThat(receiver.at("/limited")).hasSize(1);
    time.advance(Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/limited").size() == 2);
    List<FakeReceiver.Received> both = receiver.at("/limited");
    assertThat(both.get(1).body()).isEqualTo(both.get(0).body());
    assertThat(both.get(1).notificationId()).isEqualTo(n.id());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> outbox.recent(1).get(0).outcome() == DeliveryRecord.Outcome.DELIVERED);
  }

  @Test
  @DisplayName(
      "Gives up a notification after give_up_after, or at once on a 404, to the dead"
          + " letters with its reason and history")
  void givesUp() throws Exception {
    ReceiverConfig broken = webhookReceiver("broken-" + run, "/broken");
    ReceiverConfig gone = webhookReceiver("gone-" + run, "/gone");
    DeliverySettings settings =
        new DeliverySettings(
            Duration.ofSeconds(1), Duration.ofSeconds(20), Duration.ofMinutes(1), 0, null, 3);
    outbox = open(List.of(broken, gone), settings);
    receiver.answer(
        r ->
            r.path().equals("/gone")
                ? FakeReceiver.Answer.status(404)
                : FakeReceiver.Answer.status(500));
    Notification n = notification("broken-" + run, broken.name(), "{}:{host=\"b-" + run + "\"}");
    Notification m = notification("gone-" + run, gone.name(), "{}:{host=\"g-" + run + "\"}");

    get(outbox.enqueue(n));
    get(outbox.enqueue(m));

    await().atMost(Duration.ofSeconds(30)).until(() -> givenUp(m.id()) != null);
    assertThat(givenUp(m.id()).error()).contains("refused with HTTP 404").contains("not retried");
    assertThat(receiver.at("/gone")).hasSize(1);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              time.advance(STEP);
              return givenUp(n.id()) != null;
            });
    assertThat(givenUp(n.id()).error())
        .startsWith("not delivered within PT1M; last error: HTTP 500");

    ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter(n.id());
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(n.groupKey());
    assertThat(header(dead, DeadLetters.REASON)).isEqualTo("handler-failed");
    assertThat(header(dead, DeadLetters.ERROR)).startsWith("not delivered within PT1M");
    assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(Topics.NOTIFICATIONS);
    assertThat(header(dead, Outbox.INTEGRATION_HEADER)).isEqualTo(broken.name() + "/webhook/0");
    JsonNode value = EventCodec.MAPPER.readTree(dead.value());
    assertThat(value.path("delivery").path("notification").path("id").asText()).isEqualTo(n.id());
    List<String> steps = new ArrayList<>();
    value.path("delivery").path("history").forEach(h -> steps.add(h.path("outcome").asText()));
    assertThat(steps.get(0)).isEqualTo("recorded");
    assertThat(steps.get(steps.size() - 1)).isEqualTo("given-up");
    assertThat(steps).contains("attempt-failed");
    assertThat(awaitDeadLetter(m.id())).isNotNull();

    assertThat(health.checks.get(Outbox.FAILING_CHECK).detail())
        .anySatisfy(d -> assertThat(d).startsWith(broken.name() + "/webhook/0: "))
        .anySatisfy(d -> assertThat(d).startsWith(gone.name() + "/webhook/0: "));
    await().atMost(Duration.ofSeconds(30)).until(() -> pendingOf(n.id()).isEmpty());
    assertThat(pendingOf(m.id())).isEmpty();
  }

  @Test
  @DisplayName("Loses nothing when its process dies mid-delivery: the next one resumes in order")
  void killNine() throws Exception {
    ReceiverConfig crash = webhookReceiver("crash-" + run, "/crash");
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      ids.add("crash-" + i + "-" + run);
    }
    List<String> acceptedBeforeCrash = ids.subList(0, 2);
    receiver.answer(
        r ->
            acceptedBeforeCrash.contains(r.notificationId())
                ? FakeReceiver.Answer.ok()
                : FakeReceiver.Answer.status(503));
    Vertx first = Vertx.vertx();
    StateTables firstTables = new StateTables(kafka);
    KafkaEventPublisher firstPublisher = new KafkaEventPublisher(first, kafka, "outbox-it-first");
    Outbox dying =
        new Outbox(
            first, firstTables, firstPublisher, List.of(crash), EXTERNAL, settings(), health, time);
    get(dying.start());
    for (String id : ids) {
      get(dying.enqueue(notification(id, crash.name(), "{}:{group=\"crash\"}")));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/crash").size() >= 3);

    dying.close();
    first.close();
    Thread closer =
        new Thread(
            () -> {
              firstTables.close();
              firstPublisher.close();
            });
    closer.start();

    receiver.answer(r -> FakeReceiver.Answer.ok());
    outbox = open(List.of(crash), settings());
    assertThat(statusOf(crash.name()).queued()).isBetween(3, 5);
    assertThat(outbox.recent(Outbox.RECENT))
        .filteredOn(r -> r.notificationId().equals(ids.get(2)))
        .extracting(DeliveryRecord::outcome)
        .contains(DeliveryRecord.Outcome.RECORDED);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              time.advance(STEP);
              return new LinkedHashSet<>(deliveredAt("/crash")).size() == 5;
            });

    assertThat(new ArrayList<>(new LinkedHashSet<>(deliveredAt("/crash"))))
        .containsExactlyElementsOf(ids);
    for (String id : ids.subList(2, 5)) {
      assertThat(deliveredAt("/crash")).containsOnlyOnce(id);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> pendingOf("crash-").isEmpty());
    closer.join(30_000);
  }

  @Test
  @DisplayName("Sends a test notification to every integration of a receiver on request")
  void testNotification() throws Exception {
    ReceiverConfig config =
        new ReceiverConfig(
            "tested-" + run,
            List.of(
                new ReceiverConfig.Slack(
                    receiver.url("/slack"), null, null, null, null, null, null, false)),
            List.of(),
            List.of(),
            List.of(new ReceiverConfig.Webhook(receiver.url("/bad"), true, 0, null, null)));
    outbox = open(List.of(config), settings());
    receiver.answer(
        r -> r.path().equals("/bad") ? FakeReceiver.Answer.status(404) : FakeReceiver.Answer.ok());

    List<DeliveryRecord> results = get(outbox.testEach(config.name()));
    DeliveryRecord summary = get(outbox.test(config.name()));

    assertThat(results)
        .extracting(DeliveryRecord::integration, DeliveryRecord::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                config.name() + "/slack/0", DeliveryRecord.Outcome.DELIVERED),
            org.assertj.core.groups.Tuple.tuple(
                config.name() + "/webhook/0", DeliveryRecord.Outcome.ATTEMPT_FAILED));
    assertThat(results.get(1).error()).contains("HTTP 404");
    assertThat(json(receiver.at("/slack").get(0).body()).path("text").asText())
        .isEqualTo("[FIRING:1] Test notification from Valentia");
    assertThat(summary.outcome()).isEqualTo(DeliveryRecord.Outcome.ATTEMPT_FAILED);
    assertThat(summary.integration()).isEqualTo(config.name() + "/webhook/0");
    assertThat(summary.error()).startsWith(config.name() + "/webhook/0: HTTP 404");
    assertThat(EventCodec.MAPPER.valueToTree(summary).path("outcome").asText())
        .isEqualTo("attempt-failed");
    receiver.answer(r -> FakeReceiver.Answer.ok());
    assertThat(get(outbox.test(config.name())).outcome())
        .isEqualTo(DeliveryRecord.Outcome.DELIVERED);
    assertThat(outbox.testEach("nobody-" + run).toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(UnknownReceiverException.class);
  }

  @Test
  @DisplayName(
      "Retries a receiver that does not answer in time, keeping its secret path out of"
          + " the error")
  void timeout() throws Exception {
    ReceiverConfig slow =
        new ReceiverConfig(
            "slow-" + run,
            List.of(),
            List.of(),
            List.of(),
            List.of(
                new ReceiverConfig.Webhook(
                    receiver.url("/hooks/T0/secret-token"),
                    true,
                    0,
                    null,
                    Duration.ofMillis(300))));
    outbox = open(List.of(slow), settings());
    receiver.answer(r -> FakeReceiver.Answer.never());
    Notification n = notification("slow-" + run, slow.name(), "{}:{}");

    get(outbox.enqueue(n));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> outbox.recent(1).get(0).outcome() == DeliveryRecord.Outcome.ATTEMPT_FAILED);
    DeliveryRecord failed = outbox.recent(1).get(0);
    assertThat(failed.status()).isNull();
    assertThat(failed.error()).containsIgnoringCase("timeout").doesNotContain("secret-token");
    assertThat(statusOf(slow.name()).lastError()).doesNotContain("secret-token");
    receiver.answer(r -> FakeReceiver.Answer.ok());
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              time.advance(STEP);
              return deliveredAt("/hooks/T0/secret-token").contains(n.id());
            });
  }

  @Test
  @DisplayName("Sends a Slack webhook at most one message per second, in order")
  void slackRateLimit() throws Exception {
    ReceiverConfig config =
        new ReceiverConfig(
            "paced-" + run,
            List.of(
                new ReceiverConfig.Slack(
                    receiver.url("/paced"), null, null, null, null, null, null, true)),
            List.of(),
            List.of(),
            List.of());
    outbox = open(List.of(config), settings());
    Instant start = time.now();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Notification n = notification("paced-" + i + "-" + run, config.name(), "{}:{}");
      ids.add(n.id());
      get(outbox.enqueue(n));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> deliveredAt("/paced").size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> start.plusSeconds(1).equals(time.nextDue()));
    assertThat(receiver.at("/paced")).hasSize(1);
    time.advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(30)).until(() -> deliveredAt("/paced").size() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> start.plusSeconds(2).equals(time.nextDue()));
    time.advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(30)).until(() -> deliveredAt("/paced").size() == 3);

    assertThat(deliveredAt("/paced")).containsExactlyElementsOf(ids);
  }

  // ---- helpers ----

  private Outbox open(List<ReceiverConfig> receivers, DeliverySettings settings) throws Exception {
    Outbox o = new Outbox(vertx, tables, publisher, receivers, EXTERNAL, settings, health, time);
    get(o.start());
    return o;
  }

  private static DeliverySettings settings() {
    return new DeliverySettings(
        Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(24), 0, null, 3);
  }

  private ReceiverConfig webhookReceiver(String name, String path) {
    return new ReceiverConfig(
        name,
        List.of(),
        List.of(),
        List.of(),
        List.of(new ReceiverConfig.Webhook(receiver.url(path), true, 0, null, null)));
  }

  private Notification incident(String id, String receiverName) {
    Instant now = time.now();
    Alert firing =
        new Alert(
            Map.of(
                "type",
                "io.valentia.probe.mtu.mismatch.v1",
                "severity",
                "critical",
                "host",
                "osd-12",
                "incident",
                "inc-7"),
            Map.of("summary", "MTU mismatch", "description", "8972-byte pings to osd-3 fail"),
            now.minusSeconds(600),
            null,
            "https://valentia.example/live.html#osd-12");
    Alert resolved =
        new Alert(
            Map.of(
                "type",
                "io.valentia.probe.mtu.mismatch.v1",
                "severity",
                "critical",
                "host",
                "osd-3",
                "incident",
                "inc-7"),
            Map.of("summary", "MTU mismatch"),
            now.minusSeconds(600),
            now.minusSeconds(60),
            null);
    return new Notification(
        id,
        receiverName,
        "{}:{incident=\"inc-7\"}",
        Map.of("incident", "inc-7"),
        List.of(firing, resolved),
        now);
  }

  private Notification notification(String id, String receiverName, String groupKey) {
    Alert alert =
        new Alert(
            Map.of("type", "io.valentia.incident.opened.v1", "severity", "warning", "seq", id),
            Map.of("summary", "Alert " + id),
            time.now(),
            null,
            null);
    return new Notification(id, receiverName, groupKey, Map.of(), List.of(alert), time.now());
  }

  private static Notification firingOnly(Notification n) {
    return new Notification(
        n.id(), n.receiver(), n.groupKey(), n.groupLabels(), n.firing(), n.createdAt());
  }

  /** Waits until no request is in flight: every queue waits for a timer or is empty. */
  private void awaitIdle() {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () ->
                outbox.receivers().stream().filter(s -> s.queued() > 0).count()
                    <= time.scheduled());
  }

  private List<String> deliveredAt(String path) {
    return receiver.at(path).stream()
        .filter(r -> r.answered() / 100 == 2)
        .map(FakeReceiver.Received::notificationId)
        .toList();
  }

  private ReceiverStatus statusOf(String receiverName) {
    return outbox.receivers().stream()
        .filter(s -> s.receiver().equals(receiverName))
        .findFirst()
        .orElseThrow();
  }

  private DeliveryRecord givenUp(String id) {
    return outbox.recent(Outbox.RECENT).stream()
        .filter(r -> r.notificationId().equals(id))
        .filter(r -> r.outcome() == DeliveryRecord.Outcome.GIVEN_UP)
        .findFirst()
        .orElse(null);
  }

  private List<String> pendingOf(String idPart) {
    return tables.open(Topics.STATE_OUTBOX, PendingDelivery.class).snapshot().keySet().stream()
        .filter(k -> k.contains(idPart) && k.contains(run))
        .toList();
  }

  private static List<JsonNode> history(String id) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readAll(Topics.NOTIFICATIONS)) {
      JsonNode event = EventCodec.MAPPER.readTree(r.value());
      if (id.equals(event.path("data").path("notificationId").asText())) {
        assertThat(new String(r.key(), StandardCharsets.UTF_8))
            .isEqualTo(event.path("data").path("groupKey").asText());
        out.add(event);
      }
    }
    return out;
  }

  private static ConsumerRecord<byte[], byte[]> awaitDeadLetter(String id) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                KafkaTestSupport.readAll(Topics.DEADLETTER).stream()
                    .filter(r -> id.equals(header(r, Outbox.NOTIFICATION_ID_HEADER)))
                    .findFirst()
                    .orElse(null),
            r -> r != null);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static JsonNode json(String body) throws Exception {
    return EventCodec.MAPPER.readTree(body);
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
