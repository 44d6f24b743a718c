package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.ChaosService;
import io.valentia.chaos.state.ControlState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.security.KafkaRole;
import io.valentia.eventbus.security.PlatformKey;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.testing.TestServiceContext;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original finding: whoever could write to Kafka had a schedule run as the platform's user.
 * Here the broker is secured and the writer holds valid Kafka credentials (the chaos principal's,
 * the strongest a stolen client configuration could give), but not the platform key.
 */
@DisplayName("Commands that are not sealed by someone who may give them")
class ForgedControlIT {
  private static final String EXPERIMENT =
      """
      {"title": "Nightly echo", "method": [{"type": "action", "name": "echo",
        "provider": {"type": "process", "path": "/bin/echo", "arguments": "hello"}}]}
      """;

  private EmbeddedKafkaBroker broker;
  private KafkaCredentials credentials;
  private Vertx vertx;
  private TestServiceContext context;
  private HttpServer server;
  private WebClient client;
  private PlatformKey platformKey;

  @BeforeEach
  void start(@TempDir Path dataDir) throws Exception {
    credentials = KafkaCredentials.loadOrCreate(dataDir);
    broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), 0, credentials);
    new TopicProvisioner(settings(KafkaRole.ADMIN)).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    KafkaSettings chaos = settings(KafkaRole.CHAOS);
    Path chaosDir = dataDir.resolve("chaos");
    platformKey = PlatformKey.loadOrCreate(chaosDir); // the service's key (ServiceContext default)
    JsonNode config =
        EventCodec.MAPPER.readTree(
            """
            {"allow": {"executables": ["/bin/echo"]}, "scheduleGroup": "forged-it-%s"}
            """
                .formatted(UUID.randomUUID()));
    context =
        new TestServiceContext(
            vertx,
            chaos,
            new KafkaEventPublisher(vertx, chaos, "forged-it"),
            chaosDir,
            config,
            Map.of(),
            new TestServiceContext.RecordingHealth(),
            new StateTables(chaos),
            new ApiRoutes(),
            System.out);
    new ChaosService().start(context).await(60, TimeUnit.SECONDS);
    Router root = Router.router(vertx);
    context
        .api()
        .mounted()
        .forEach((path, router) -> root.route("/api/v1" + path + "*").subRouter(router));
    server =
        vertx
            .createHttpServer()
            .requestHandler(root)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    client =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    if (context != null) {
      context.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @DisplayName(
      "A schedule written by hand with valid Kafka credentials but without a seal, with a forged one or from a viewer is not scheduled; each is dead-lettered and audited as denied, while a schedule sent through the API is")
  void forgedSchedulesAreRefused() throws Exception {
    String unsigned = "forged-unsigned-" + UUID.randomUUID();
    String forged = "forged-seal-" + UUID.randomUUID();
    String viewer = "forged-viewer-" + UUID.randomUUID();
    String legit = "through-api-" + UUID.randomUUID();
    ControlSeal otherKey = new ControlSeal(PlatformKey.generate());
    ControlSeal rightKey = new ControlSeal(platformKey);
    try (KafkaProducer<byte[], byte[]> producer = producer(KafkaRole.CHAOS)) {
      // the finding as it was: a schedule record on valentia.control, by hand
      write(producer, Topics.CONTROL, "schedule/" + unsigned, scheduleEvent(unsigned));
      write(producer, Topics.STATE_SCHEDULES, "schedule/" + unsigned, entry(unsigned, null, null));
      write(
          producer,
          Topics.STATE_SCHEDULES,
          "schedule/" + forged,
          entry(forged, otherKey, ControlSeal.Sender.platform("mallory")));
      write(
          producer,
          Topics.STATE_SCHEDULES,
          "schedule/" + viewer,
          entry(viewer, rightKey, new ControlSeal.Sender("vic", "viewer")));
    }

    HttpResponse<Buffer> created =
        send(
            HttpMethod.POST,
            "/api/v1/schedules",
            """
            {"id": "%s", "schedule": "0 3 1 1 *", "experiment": %s}
            """
                .formatted(legit, EXPERIMENT));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);

    // the table is applied in log order: once the API's schedule is there, the others were read
    await().atMost(Duration.ofSeconds(30)).until(() -> scheduledIds().contains(legit));
    assertThat(scheduledIds()).doesNotContain(unsigned, forged, viewer);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(deadLetters())
                    .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .contains("schedule/" + unsigned, "schedule/" + forged, "schedule/" + viewer));
    ConsumerRecord<byte[], byte[]> dead =
        deadLetters().stream()
            .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("schedule/" + viewer))
            .findFirst()
            .orElseThrow();
    assertThat(header(dead, DeadLetters.REASON)).isEqualTo("unauthorized");
    assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(Topics.STATE_SCHEDULES);
    assertThat(header(dead, DeadLetters.ERROR)).contains("under-privileged", "viewer");
    assertThat(
            header(
                deadLetters().stream()
                    .filter(
                        r ->
                            new String(r.key(), StandardCharsets.UTF_8)
                                .equals("schedule/" + forged))
                    .findFirst()
                    .orElseThrow(),
                DeadLetters.ERROR))
        .contains("forged");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(audits())
                    .anySatisfy(
                        a -> {
                          assertThat(a.path("action").asText()).isEqualTo("control.schedule");
                          assertThat(a.path("outcome").asText()).isEqualTo("denied");
                          assertThat(a.path("target").asText()).isEqualTo("schedule/" + viewer);
                          assertThat(a.path("actor").asText()).isEqualTo("vic");
                        }));
  }

  @Test
  @DisplayName(
      "A halt or a release put on valentia.control by hand without a seal is not applied and is dead-lettered, while a halt through the API is")
  void forgedHaltIsRefused() throws Exception {
    // the injector reads valentia.control from where it stood when it started following it: send
    // forged halts until one is read (and refused)
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> refusedAfterSending(false));
    assertThat(halted()).isFalse();

    HttpResponse<Buffer> halted =
        send(HttpMethod.POST, "/api/v1/halt", "{\"reason\": \"through the API\"}");
    assertThat(halted.statusCode()).as(halted.bodyAsString()).isEqualTo(200);
    assertThat(halted()).isTrue();
    forgedIds.clear();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> refusedAfterSending(true));
    assertThat(halted()).as("a forged release leaves the halt in force").isTrue();
  }

  private final List<String> forgedIds = new ArrayList<>();

  /**
   * Puts a forged halt (or release) on valentia.control; whether one of those sent so far is in the
   * dead letters.
   */
  private boolean refusedAfterSending(boolean release) throws Exception {
    CloudEvent command =
        CloudEvent.of(new ChaosHalt("mallory", "forged", release, 0))
            .source("/cli/mallory")
            .subject(ControlState.HALT)
            .build();
    forgedIds.add(command.id());
    try (KafkaProducer<byte[], byte[]> producer = producer(KafkaRole.CHAOS)) {
      write(producer, Topics.CONTROL, ControlState.HALT, EventCodec.instance().encode(command));
    }
    return deadLetters().stream().anyMatch(r -> forgedIds.stream().anyMatch(value(r)::contains));
  }

  private boolean halted() throws Exception {
    return EventCodec.MAPPER
        .readTree(send(HttpMethod.GET, "/api/v1/halt", null).bodyAsString())
        .path("halted")
        .asBoolean();
  }

  private List<String> scheduledIds() throws Exception {
    HttpResponse<Buffer> list = send(HttpMethod.GET, "/api/v1/schedules", null);
    return EventCodec.MAPPER.readTree(list.bodyAsString()).findValuesAsText("id");
  }

  private static byte[] scheduleEvent(String id) throws Exception {
    return EventCodec.instance()
        .encode(
            CloudEvent.of(schedule(id)).source("/cli/mallory").subject("schedule/" + id).build());
  }

  private static ExperimentScheduled schedule(String id) throws Exception {
    return new ExperimentScheduled(
        "Forged " + id, id, "every 1m", null, EventCodec.MAPPER.readTree(EXPERIMENT), null, null);
  }

  private static byte[] entry(String id, ControlSeal seal, ControlSeal.Sender sender)
      throws Exception {
    String key = ControlState.scheduleKey(id);
    ControlState state = ControlState.of(schedule(id));
    if (seal != null) {
      state = seal.seal(Topics.STATE_SCHEDULES, key, state, sender);
    }
    return EventCodec.MAPPER.writeValueAsBytes(state);
  }

  private static void write(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer
        .send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
        .get(30, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String body) throws Exception {
    var request = client.request(method, path);
    return (body == null
            ? request.send()
            : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)))
        .await(30, TimeUnit.SECONDS);
  }

  private List<ConsumerRecord<byte[], byte[]>> deadLetters() {
    return readAll(Topics.DEADLETTER);
  }

  private List<JsonNode> audits() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(Topics.EVENTS)) {
      JsonNode event = EventCodec.MAPPER.readTree(r.value());
      if (io.valentia.eventbus.EventType.AUDIT.type().equals(event.path("type").asText())) {
        out.add(event.path("data"));
      }
    }
    return out;
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> props =
        new HashMap<>(settings(KafkaRole.ADMIN).commonClientProperties("read"));
    props.put("enable.auto.commit", false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String value(ConsumerRecord<byte[], byte[]> record) {
    return record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
  }

  private KafkaSettings settings(KafkaRole role) {
    return KafkaSettings.forCommandLine(
        broker.bootstrapServers(), "forged-it", credentials.clientProperties(role));
  }

  private KafkaProducer<byte[], byte[]> producer(KafkaRole role) {
    Map<String, Object> props = new HashMap<>(settings(role).commonClientProperties("mallory"));
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
