package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.RestartableBroker;
import io.valentia.eventbus.kafka.DeadLetterGate;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.HealthMuted;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.valentia.probes.frames.FrameEvents;
import io.valentia.web.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases, raised health checks and mutes live in state topics: a restarted platform takes them back
 * from there, not from the history, and a data dir from a release without state topics is migrated
 * once.
 */
@DisplayName("The platform's state topics")
class PlatformStateIT {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path data;

  @Test
  @DisplayName(
      "a restarted platform restores its leases, raised checks and mutes from the state topics, a"
          + " second process on the same Kafka shows the same health, and a mute survives restart")
  void restartRestoresState() throws Exception {
    String muted = check("MUTED");
    String loud = check("LOUD");
    String leaseId;
    Map<String, JsonNode> before;
    try (Platform platform = start()) {
      String base = base(platform);
      raise(platform, muted, 2);
      raise(platform, loud, 1);
      leaseId = grant(base, "hmd-" + UUID.randomUUID()).get("id").asText();
      awaitChecks(base, muted); // only a raised check can be muted without sticky
      assertThat(post(base + "/api/v1/health/mute", "{\"check\":\"" + muted + "\",\"ttl\":\"1h\"}"))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(202);
      before = awaitChecks(base, muted, loud);
      assertThat(before.get(muted).get("muted").asBoolean()).isTrue();
      assertThat(before.get(loud).get("muted").asBoolean()).isFalse();

      try (Platform second = startWeb(platform.bootstrapServers())) {
        Map<String, JsonNode> seen = awaitChecks(base(second), muted, loud);
        assertThat(seen.get(muted)).isEqualTo(before.get(muted));
        assertThat(seen.get(loud)).isEqualTo(before.get(loud));
      }
    }

    try (Platform again = start()) {
      String base = base(again);
      JsonNode report = health(base);
      assertThat(report.at("/checks/" + muted)).isEqualTo(before.get(muted));
      assertThat(report.at("/checks/" + loud)).isEqualTo(before.get(loud));
      assertThat(report.get("status").asText()).isEqualTo("HEALTH_WARN");
      HttpResponse<String> lease = get(base + "/api/v1/leases/" + leaseId);
      assertThat(lease.statusCode()).as(lease.body()).isEqualTo(200);

      assertThat(delete(base + "/api/v1/health/mute/" + muted).statusCode()).isEqualTo(202);
      assertThat(delete(base + "/api/v1/leases/" + leaseId).statusCode()).isEqualTo(200);
    }

    try (Platform third = start()) {
      String base = base(third);
      assertThat(health(base).at("/checks/" + muted + "/muted").asBoolean()).isFalse();
      assertThat(get(base + "/api/v1/leases/" + leaseId).statusCode()).isEqualTo(404);
    }
  }

  @Test
  @DisplayName(
      "a platform restarted over 200,000 unrelated events on valentia.events shows the same health"
          + " without reading them")
  void restartDoesNotReplayTheLog() throws Exception {
    String check = check("BURIED");
    Map<String, JsonNode> before;
    try (Platform platform = start()) {
      String base = base(platform);
      raise(platform, check, 3);
      assertThat(
              post(base + "/api/v1/health/mute", "{\"check\":\"" + check + "\",\"sticky\":true}"))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(202);
      before = awaitChecks(base, check);
      assertThat(before.get(check).get("muted").asBoolean()).isTrue();
      long end = noise(platform.bootstrapServers(), 200_000);
      awaitGateAt(platform.bootstrapServers(), end);
      assertThat(consumed(Topics.EVENTS))
          .as("the measure sees the dead-letter gate check every new record")
          .isGreaterThanOrEqualTo(200_000);
    }

    try (Platform again = start()) {
      JsonNode report = health(base(again));
      assertThat(report.at("/checks/" + check)).isEqualTo(before.get(check));
      assertThat(consumed(Topics.EVENTS))
          .as("records of valentia.events fetched by this platform since it started")
          .isLessThan(1_000);
    }
  }

  @Test
  @DisplayName(
      "the first start over a data dir of a release without state topics builds the lease, health"
          + " and mute tables once from the history")
  void migratesOldHistory() throws Exception {
    String check = check("OLD");
    String source = "/leases/" + FrameEvents.hostName();
    String kept = UUID.randomUUID().toString();
    String revoked = UUID.randomUUID().toString();
    Lessee lessee = new Lessee("vr-app", null);
    Instant later = Instant.now().plusSeconds(60);
    try (RestartableBroker broker = RestartableBroker.start(data.resolve("kafka"), 0)) {
      KafkaSettings settings = KafkaSettings.forCommandLine(broker.bootstrapServers(), "old");
      new TopicProvisioner(settings).ensureTopics(Duration.ofSeconds(60));
      try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
        send(
            producer,
            new HealthChanged(check, "HEALTH_ERR", "it broke", List.of("a"), 1),
            "/probes/x");
        send(producer, new HealthMuted(check, true, later, false, "ada"), "/api/health");
        send(producer, new LeaseGranted(kept, "hmd-kept", lessee, 60_000, later), source);
        send(producer, new LeaseGranted(revoked, "hmd-gone", lessee, 60_000, later), source);
        send(
            producer,
            new LeaseRevoked(revoked, "hmd-gone", lessee, "lessor-revoke", "test"),
            source);
        noise(producer, 1_000);
        producer.flush();
      }
    }

    try (Platform platform = start()) {
      String base = base(platform);
      JsonNode report = health(base);
      assertThat(report.at("/checks/" + check + "/severity").asText()).isEqualTo("HEALTH_ERR");
      assertThat(report.at("/checks/" + check + "/muted").asBoolean()).isTrue();
      assertThat(get(base + "/api/v1/leases/" + kept).statusCode()).isEqualTo(200);
      assertThat(get(base + "/api/v1/leases/" + revoked).statusCode()).isEqualTo(404);
    }
    try (Platform again = start()) {
      assertThat(health(base(again)).at("/checks/" + check + "/muted").asBoolean()).isTrue();
      assertThat(consumed(Topics.EVENTS)).as("no second migration").isLessThan(1_000);
    }
  }

  // ---- helpers ----

  private Platform start() {
    ValentiaConfig config =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "data",
                data.toString(),
                "kafka.port",
                0,
                "http.port",
                0,
                "roles",
                List.of("web", "probes")));
    return Platform.start(
        config,
        Map.of("VALENTIA_ADMIN_TOKEN", TOKEN),
        new PrintStream(new ByteArrayOutputStream()));
  }

  /**
   * A web process of its own data directory on the Kafka of the first: it signs in as the web
   * principal with a Kafka client properties file, as a process on another machine would.
   */
  private Platform startWeb(String bootstrap) throws java.io.IOException {
    Path clientConfig = data.resolve("web-kafka.properties");
    Properties web = new Properties();
    io.valentia.eventbus.security.KafkaCredentials.find(data)
        .map(c -> c.clientProperties(io.valentia.eventbus.security.KafkaRole.WEB))
        .orElse(Map.of())
        .forEach(web::setProperty);
    try (var out = java.nio.file.Files.newBufferedWriter(clientConfig)) {
      web.store(out, "the web principal");
    }
    ValentiaConfig config =
        ConfigLoader.load(
            null,
            Map.of(
                "VALENTIA_KAFKA_BOOTSTRAP",
                bootstrap,
                "VALENTIA_KAFKA_CONFIG",
                clientConfig.toString()),
            Map.of(
                "data",
                data.resolve("second").toString(),
                "http.port",
                0,
                "roles",
                List.of("web")));
    return Platform.start(
        config,
        Map.of("VALENTIA_ADMIN_TOKEN", TOKEN),
        new PrintStream(new ByteArrayOutputStream()));
  }

  private static String check(String what) {
    return "TEST_" + what + "_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
  }

  private static String base(Platform platform) {
    return "http://127.0.0.1:" + platform.httpPort();
  }

  /** Raises {@code check} as `valentia emit` does. */
  private void raise(Platform platform, String check, int count) {
    int code =
        Valentia.commandLine()
            .execute(
                "emit",
                "--kafka",
                platform.bootstrapServers(),
                "--data-dir",
                data.toString(),
                "--type",
                "io.valentia.health.changed.v1",
                "--source",
                "/probes/test",
                "--subject",
                check,
                "--data",
                "{\"check\":\""
                    + check
                    + "\",\"status\":\"HEALTH_WARN\",\"summary\":\""
                    + count
                    + " things are off\",\"detail\":[\"thing 1\"],\"count\":"
                    + count
                    + "}");
    assertThat(code).isZero();
  }

  private static Map<String, JsonNode> awaitChecks(String base, String... checks) {
    Map<String, JsonNode> found = new HashMap<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode report = health(base);
              for (String check : checks) {
                assertThat(report.at("/checks/" + check).isMissingNode()).as(check).isFalse();
                found.put(check, report.at("/checks/" + check));
              }
            });
    return found;
  }

  private static JsonNode grant(String base, String resource) throws Exception {
    HttpResponse<String> granted =
        post(
            base + "/api/v1/leases",
            "{\"resource\":\""
                + resource
                + "\",\"lessee\":{\"name\":\"vr-app\"},\"termMs\":600000}");
    assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
    return EventCodec.MAPPER.readTree(granted.body());
  }

  /** Writes {@code count} valid events of a type no state is built from; returns the end offset. */
  private long noise(String bootstrap, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      noise(producer, count);
      producer.flush();
    }
    try (Admin admin = admin(bootstrap)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(Topics.EVENTS))
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .get(Topics.EVENTS)
          .partitions()
          .forEach(
              p ->
                  latest.put(
                      new TopicPartition(Topics.EVENTS, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(i -> i.offset())
          .sum();
    }
  }

  private static void noise(KafkaProducer<byte[], byte[]> producer, int count) {
    byte[] value =
        EventCodec.instance()
            .encode(
                CloudEvent.builder("com.example.noise.v1")
                    .source("/test/noise")
                    .subject("noise")
                    .data(EventCodec.MAPPER.createObjectNode().put("n", 1))
                    .build());
    byte[] key = "noise".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < count; i++) {
      producer.send(new ProducerRecord<>(Topics.EVENTS, key, value));
    }
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      io.valentia.eventbus.payload.EventPayload payload,
      String source)
      throws Exception {
    CloudEvent event = CloudEvent.of(payload).source(source).subject("old").build();
    producer
        .send(
            new ProducerRecord<>(
                Topics.EVENTS,
                Topics.keyOf(event).getBytes(StandardCharsets.UTF_8),
                EventCodec.instance().encode(event)))
        .get(10, TimeUnit.SECONDS);
  }

  /** Waits until the dead-letter gate has committed {@code end} records of valentia.events. */
  private void awaitGateAt(String bootstrap, long end) {
    try (Admin admin = admin(bootstrap)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin
                        .listConsumerGroupOffsets(DeadLetterGate.GROUP)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                long sum =
                    committed.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(Topics.EVENTS))
                        .mapToLong(e -> e.getValue().offset())
                        .sum();
                return sum >= end;
              });
    }
  }

  /** Records of {@code topic} fetched by every consumer of this JVM still open. */
  private static long consumed(String topic) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    long total = 0;
    for (ObjectName name :
        server.queryNames(
            new ObjectName(
                "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*,topic=" + topic),
            null)) {
      total += ((Number) server.getAttribute(name, "records-consumed-total")).longValue();
    }
    return total;
  }

  private KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties props = new Properties();
    props.putAll(PlatformKafka.security(data));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private Admin admin(String bootstrap) {
    Map<String, Object> props = new java.util.HashMap<>(PlatformKafka.security(data));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return Admin.create(props);
  }

  private static JsonNode health(String base) throws Exception {
    return EventCodec.MAPPER.readTree(get(base + "/health").body());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> delete(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
