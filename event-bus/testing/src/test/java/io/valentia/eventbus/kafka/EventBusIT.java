package io.valentia.eventbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.ReceivedEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.eventbus.testing.SampleEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The event bus on a real Kafka broker")
class EventBusIT {
  private static final EventCodec CODEC = EventCodec.instance();
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private final List<KafkaEventSubscriber> subscribers = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "test");
  }

  @AfterAll
  static void stop() throws Exception {
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @org.junit.jupiter.api.AfterEach
  void closeSubscribers() throws Exception {
    for (KafkaEventSubscriber subscriber : subscribers) {
      join(subscriber.close());
    }
  }

  @Test
  @DisplayName("Every event type goes through the broker and comes back equal, payload and all")
  void everyTypeRoundTrips() throws Exception {
    String subject = "round-trip-" + UUID.randomUUID();
    Map<String, CloudEvent> sent = new ConcurrentHashMap<>();
    for (EventType type : EventType.values()) {
      CloudEvent event = SampleEvents.event(type, subject);
      sent.put(event.id(), event);
      join(publisher.publish(event));
    }
    Map<String, ReceivedEvent> received = new ConcurrentHashMap<>();
    subscribe(
        KafkaEventSubscriber.Options.of(KafkaTestSupport.uniqueGroup("round-trip"), Topics.EVENTS),
        event -> {
          if (subject.equals(event.event().subject())) {
            received.put(event.event().id(), event);
          }
          return Future.succeededFuture();
        });

    await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == sent.size());
    for (CloudEvent original : sent.values()) {
      ReceivedEvent got = received.get(original.id());
      assertThat(got.event()).isEqualTo(CODEC.decode(CODEC.encode(original)));
      assertThat(got.key()).isEqualTo(subject);
      assertThat(CODEC.payload(got.event())).contains(CODEC.payload(original).orElseThrow());
    }
  }

  @Test
  @DisplayName(
      "Garbage, non-CloudEvent and schema-invalid records go to the dead-letter topic with their"
          + " reason, while the good records around them are handled")
  void badRecordsAreDeadLettered() throws Exception {
    String subject = "dlq-" + UUID.randomUUID();
    List<String> goodIds = new ArrayList<>();
    byte[] key = subject.getBytes(StandardCharsets.UTF_8);
    String badSchema =
        CODEC
            .encodeToString(SampleEvents.event(EventType.PROBE_MTU_PING, subject))
            .replace("\"sizeBytes\":8972", "\"sizeBytes\":\"large\"");
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CloudEvent good = SampleEvents.event(EventType.PROBE_FRAME_STATS, subject);
      goodIds.add(good.id());
      values.add(CODEC.encode(good));
      values.add(
          switch (i) {
            case 0 -> "\u0000\u0001 not json at all".getBytes(StandardCharsets.UTF_8);
            case 1 -> "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
            default -> badSchema.getBytes(StandardCharsets.UTF_8);
          });
    }
    try (KafkaProducer<byte[], byte[]> raw = KafkaTestSupport.rawProducer()) {
      for (byte[] value : values) {
        raw.send(new ProducerRecord<>(Topics.EVENTS, key, value)).get(10, TimeUnit.SECONDS);
      }
    }
    List<String> handled = new CopyOnWriteArrayList<>();
    String group = KafkaTestSupport.uniqueGroup("dlq");
    KafkaEventSubscriber subscriber =
        subscribe(
            KafkaEventSubscriber.Options.of(group, Topics.EVENTS).withDeadLetterInvalid(true),
            event -> {
              if (subject.equals(event.event().subject())) {
                handled.add(event.event().id());
              }
              return Future.succeededFuture();
            });

    await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 3);
    assertThat(handled).containsExactlyElementsOf(goodIds);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<ConsumerRecord<byte[], byte[]>> letters =
                  deadLettersOf(group).stream()
                      .filter(r -> Arrays.equals(key, r.key()))
                      .collect(Collectors.toList());
              assertThat(letters).hasSize(3);
              assertThat(letters)
                  .extracting(r -> header(r, DeadLetters.REASON))
                  .containsExactly(
                      InvalidEventException.Reason.NOT_JSON.value(),
                      InvalidEventException.Reason.NOT_CLOUDEVENT.value(),
                      InvalidEventException.Reason.SCHEMA_INVALID.value());
              assertThat(header(letters.get(1), DeadLetters.ERROR))
                  .contains("specversion is missing", "id is missing", "source is missing");
              assertThat(header(letters.get(2), DeadLetters.ERROR)).contains("sizeBytes");
              for (ConsumerRecord<byte[], byte[]> letter : letters) {
                assertThat(header(letter, DeadLetters.TOPIC)).isEqualTo(Topics.EVENTS);
                assertThat(header(letter, DeadLetters.PARTITION)).matches("\\d+");
                assertThat(header(letter, DeadLetters.OFFSET)).matches("\\d+");
                assertThat(letter.key()).isEqualTo(key);
              }
              assertThat(letters.get(0).value()).isEqualTo(values.get(1));
              assertThat(letters.get(2).value()).isEqualTo(values.get(5));
            });
    assertThat(subscriber.stats().deadLettered()).isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName(
      "A replay reader sees the whole log without a group, and skips (and counts) invalid records"
          + " without dead-lettering them again")
  void replayReaderSkipsInvalidRecords() throws Exception {
    String subject = "replay-" + UUID.randomUUID();
    byte[] key = subject.getBytes(StandardCharsets.UTF_8);
    CloudEvent good = SampleEvents.event(EventType.LEASE_GRANTED, subject);
    try (KafkaProducer<byte[], byte[]> raw = KafkaTestSupport.rawProducer()) {
      raw.send(
              new ProducerRecord<>(Topics.EVENTS, key, "not json".getBytes(StandardCharsets.UTF_8)))
          .get(10, TimeUnit.SECONDS);
    }
    join(publisher.publish(good));
    int lettersBefore = KafkaTestSupport.readAll(Topics.DEADLETTER).size();
    List<String> seen = new CopyOnWriteArrayList<>();
    KafkaEventSubscriber replay =
        subscribe(
            KafkaEventSubscriber.Options.replay(Topics.EVENTS),
            event -> {
              if (subject.equals(event.event().subject())) {
                seen.add(event.event().id());
              }
              return Future.succeededFuture();
            });

    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains(good.id()));
    assertThat(replay.stats().skippedInvalid()).isPositive();
    assertThat(KafkaTestSupport.readAll(Topics.DEADLETTER)).hasSize(lettersBefore);
  }

  @Test
  @DisplayName("A handler that keeps failing is retried, then its record is dead-lettered")
  void failingHandlerIsRetriedThenDeadLettered() throws Exception {
    String subject = "failing-" + UUID.randomUUID();
    CloudEvent poison = SampleEvents.event(EventType.AUDIT, subject);
    CloudEvent next = SampleEvents.event(EventType.AUDIT, subject);
    byte[] poisonKey = subject.getBytes(StandardCharsets.UTF_8);
    join(publisher.publish(poison));
    join(publisher.publish(next));
    AtomicInteger attempts = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    String group = KafkaTestSupport.uniqueGroup("failing");
    subscribe(
        KafkaEventSubscriber.Options.of(group, Topics.EVENTS)
            .withHandlerAttempts(3, Duration.ofMillis(20)),
        event -> {
          if (!subject.equals(event.event().subject())) {
            return Future.succeededFuture();
          }
          if (event.event().id().equals(poison.id())) {
            attempts.incrementAndGet();
            throw new IllegalStateException("the handler cannot cope");
          }
          handled.add(event.event().id());
          return Future.succeededFuture();
        });

    await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains(next.id()));
    assertThat(attempts).hasValue(3);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        deadLettersOf(group).stream()
                            .filter(r -> Arrays.equals(poisonKey, r.key()))
                            .collect(Collectors.toList()))
                    .singleElement()
                    .satisfies(
                        r -> {
                          assertThat(header(r, DeadLetters.REASON)).isEqualTo("handler-failed");
                          assertThat(header(r, DeadLetters.ERROR)).contains("cannot cope");
                        }));
  }

  @Test
  @DisplayName(
      "A slow handler pauses the consumer instead of buffering without bound, and every event"
          + " still arrives in order")
  void slowHandlerGetsBackPressure() throws Exception {
    String subject = "slow-" + UUID.randomUUID();
    List<String> sent = new ArrayList<>();
    List<Future<RecordPosition>> sends = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      CloudEvent event = SampleEvents.event(EventType.PROBE_FRAME_STATS, subject);
      sent.add(event.id());
      sends.add(publisher.publish(event));
    }
    join(Future.all(sends));
    List<String> handled = new CopyOnWriteArrayList<>();
    KafkaEventSubscriber subscriber =
        subscribe(
            KafkaEventSubscriber.Options.of(KafkaTestSupport.uniqueGroup("slow"), Topics.EVENTS)
                .withMaxPending(20),
            event -> {
              if (!subject.equals(event.event().subject())) {
                return Future.succeededFuture();
              }
              Promise<Void> later = Promise.promise();
              vertx.setTimer(
                  2,
                  t -> {
                    handled.add(event.event().id());
                    later.complete();
                  });
              return later.future();
            });

    await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == sent.size());
    assertThat(handled).containsExactlyElementsOf(sent);
    assertThat(subscriber.stats().pauses()).isPositive();
  }

  @Test
  @DisplayName(
      "A subscriber with a member name takes the place of the member of that name at once, as a"
          + " process restarted after a crash does: it is handed the partitions long before the"
          + " 45 s session of the member it replaces would have ended, and reads what arrives")
  void memberNameTakesItsPlaceAtOnce() throws Exception {
    String group = KafkaTestSupport.uniqueGroup("static");
    KafkaSettings settings =
        KafkaTestSupport.settings()
            .withMember("m-" + UUID.randomUUID())
            .withClientProperties(Map.of("session.timeout.ms", "45000"));
    // the member that "died": still in the group, its session far from over
    KafkaEventSubscriber gone =
        KafkaEventSubscriber.start(
            vertx,
            settings,
            KafkaEventSubscriber.Options.of(group, Topics.EVENTS),
            event -> Future.succeededFuture(),
            publisher);
    subscribers.add(gone);
    gone.firstAssignment().get(30, TimeUnit.SECONDS);

    String subject = "static-" + UUID.randomUUID();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    KafkaEventSubscriber restarted =
        subscribe(
            KafkaEventSubscriber.Options.of(group, Topics.EVENTS),
            settings,
            event -> {
              if (subject.equals(event.event().subject())) {
                handled.add(event.event().id());
              }
              return Future.succeededFuture();
            });
    restarted.firstAssignment().get(20, TimeUnit.SECONDS);
    CloudEvent event = SampleEvents.event(EventType.PROBE_MTU_PING, subject);
    join(publisher.publish(event));
    await().atMost(Duration.ofSeconds(20)).until(() -> handled.contains(event.id()));
  }

  @Test
  @DisplayName(
      "Offsets are committed only after the handler finished: a subscriber stopped half-way and"
          + " restarted in the same group loses nothing")
  void restartInSameGroupLosesNothing() throws Exception {
    String subject = "restart-" + UUID.randomUUID();
    Set<String> sent = ConcurrentHashMap.newKeySet();
    List<Future<RecordPosition>> sends = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      CloudEvent event = SampleEvents.event(EventType.PROBE_MTU_PING, subject);
      sent.add(event.id());
      sends.add(publisher.publish(event));
    }
    join(Future.all(sends));
    String group = KafkaTestSupport.uniqueGroup("restart");
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger firstRun = new AtomicInteger();
    KafkaEventSubscriber first =
        KafkaEventSubscriber.start(
            vertx,
            KafkaTestSupport.settings(),
            KafkaEventSubscriber.Options.of(group, Topics.EVENTS),
            event -> {
              if (!subject.equals(event.event().subject())) {
                return Future.succeededFuture();
              }
              if (firstRun.incrementAndGet() > 40) {
                return Promise.<Void>promise().future(); // hangs: never committed
              }
              handled.add(event.event().id());
              return Future.succeededFuture();
            },
            publisher);
    await().atMost(Duration.ofSeconds(30)).until(() -> firstRun.get() > 40);
    join(first.close());

    subscribe(
        KafkaEventSubscriber.Options.of(group, Topics.EVENTS),
        event -> {
          if (subject.equals(event.event().subject())) {
            handled.add(event.event().id());
          }
          return Future.succeededFuture();
        });
    await().atMost(Duration.ofSeconds(30)).until(() -> handled.containsAll(sent));
  }

  @Test
  @DisplayName(
      "A plain KafkaConsumer with StringDeserializer reads valentia.events as CloudEvents JSON")
  void plainConsumerReadsCloudEventsJson() throws Exception {
    String subject = "plain-" + UUID.randomUUID();
    CloudEvent event = SampleEvents.event(EventType.PROBE_MTU_MISMATCH, subject);
    join(publisher.publish(event));

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaTestSupport.uniqueGroup("plain"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(Topics.EVENTS));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(
                        r -> {
                          if (subject.equals(r.key())) {
                            values.add(r.value());
                          }
                        });
                return !values.isEmpty();
              });
    }
    JsonNode json = EventCodec.MAPPER.readTree(values.get(0));
    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("id").asText()).isEqualTo(event.id());
    assertThat(json.get("type").asText()).isEqualTo("io.valentia.probe.mtu.mismatch.v1");
    assertThat(json.get("source").asText()).isEqualTo("/test");
    assertThat(json.get("subject").asText()).isEqualTo(subject);
    assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(json.get("severity").asText()).isEqualTo("warning");
    assertThat(json.get("time").asText()).endsWith("Z");
    assertThat(json.get("data").isObject()).isTrue();
    assertThat(json.get("data").get("estimatedPathMtu").asInt()).isEqualTo(1500);
  }

  @Test
  @DisplayName("The publisher refuses an invalid Valentia event before it reaches Kafka")
  void publisherValidates() {
    CloudEvent bad =
        CloudEvent.builder(EventType.PROBE_MTU_PING.type())
            .source("/test")
            .data(EventCodec.MAPPER.createObjectNode().put("peer", "x"))
            .build();
    assertThat(publisher.publish(bad).toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(InvalidEventException.class);
  }

  @Test
  @DisplayName("Topic provisioning reports a partition count that differs from the configuration")
  void topicMismatchIsReported() {
    KafkaSettings settings =
        new KafkaSettings(
            KafkaTestSupport.bootstrapServers(),
            "mismatch",
            (short) 1,
            Map.of(Topics.EVENTS, 12),
            "lz4",
            null);
    List<TopicProvisioner.TopicStatus> statuses =
        new TopicProvisioner(settings).ensureTopics(Duration.ofSeconds(30));
    TopicProvisioner.TopicStatus events =
        statuses.stream().filter(s -> s.name().equals(Topics.EVENTS)).findFirst().orElseThrow();
    assertThat(events.created()).isFalse();
    assertThat(events.mismatches())
        .singleElement()
        .asString()
        .contains("valentia.events has 6 partitions but the configuration asks for 12");
    assertThat(
            statuses.stream().map(TopicProvisioner.TopicStatus::name).collect(Collectors.toList()))
        .containsExactlyElementsOf(Topics.ALL);
  }

  private KafkaEventSubscriber subscribe(
      KafkaEventSubscriber.Options options, io.valentia.eventbus.kafka.EventHandler handler) {
    return subscribe(options, KafkaTestSupport.settings(), handler);
  }

  private KafkaEventSubscriber subscribe(
      KafkaEventSubscriber.Options options,
      KafkaSettings settings,
      io.valentia.eventbus.kafka.EventHandler handler) {
    KafkaEventSubscriber subscriber =
        KafkaEventSubscriber.start(vertx, settings, options, handler, publisher);
    subscribers.add(subscriber);
    return subscriber;
  }

  private static List<ConsumerRecord<byte[], byte[]>> deadLettersOf(String group) {
    return KafkaTestSupport.readAll(Topics.DEADLETTER).stream()
        .filter(r -> group.equals(header(r, DeadLetters.GROUP)))
        .collect(Collectors.toList());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
