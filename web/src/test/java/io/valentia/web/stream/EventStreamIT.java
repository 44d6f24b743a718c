package io.valentia.web.stream;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GET /api/v1/events/stream against a real Kafka broker")
class EventStreamIT {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static EventStreams streams;
  private static WebVerticle web;

  @BeforeAll
  static void start() throws Exception {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "stream-it");
    streams =
        new EventStreams(
            KafkaTestSupport.settings(),
            new EventStreams.Limits(
                50, 1 << 20, Duration.ofMillis(300), Duration.ofSeconds(30), 8, 8));
    web =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            AdminToken.configured(TOKEN),
            new ApiRoutes(),
            new WebVerticle.Gateway(null, null, null, streams));
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, SECONDS);
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  @Test
  @DisplayName(
      "A published event arrives as one data line of CloudEvent JSON with a partition-offset id,"
          + " and the filter keeps out what it does not select.")
  void eventsArriveFiltered() throws Exception {
    String subject = "osd-" + UUID.randomUUID();
    try (SseClient sse =
        open("filter=" + enc("subject == '" + subject + "' && severity >= 'warning'"), Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");

      publish(event(subject, Severity.INFO, 1));
      CloudEvent wanted = event(subject, Severity.CRITICAL, 2);
      publish(wanted);

      SseClient.Frame frame = sse.next(WAIT);
      assertThat(frame.event()).isEqualTo("message");
      assertThat(frame.id()).matches("\\d+-\\d+(,\\d+-(-1|\\d+))*");
      JsonNode json = EventCodec.MAPPER.readTree(frame.data());
      assertThat(json.path("id").asText()).isEqualTo(wanted.id());
      assertThat(json.path("data").path("n").asInt()).isEqualTo(2);
      assertThat(EventCodec.instance().decode(frame.data()).subject()).isEqualTo(subject);
    }
  }

  @Test
  @DisplayName("A filter that does not compile is a 400 whose JSON error names the column.")
  void badFilterIs400() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri("filter=" + enc("subject = 'x'")))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("column 9").contains("==");
  }

  @Test
  @DisplayName("Without a token the stream is 401 and nothing is read.")
  void needsAToken() throws Exception {
    try (SseClient sse = SseClient.open(uri(""), Map.of())) {
      assertThat(sse.status()).isEqualTo(401);
    }
  }

  @Test
  @DisplayName("Resuming with Last-Event-ID after a disconnect loses and repeats nothing.")
  void resumeLosesNothing() throws Exception {
    String subject = "resume-" + UUID.randomUUID();
    String filter = "filter=" + enc("subject == '" + subject + "'");
    List<Integer> seen = new ArrayList<>();
    String lastId;
    try (SseClient sse = open(filter, Map.of())) {
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");
      for (int i = 0; i < 10; i++) {
        publish(event(subject, Severity.INFO, i));
      }
      SseClient.Frame frame = null;
      for (int i = 0; i < 5; i++) {
        frame = sse.next(WAIT);
        seen.add(EventCodec.MAPPER.readTree(frame.data()).path("data").path("n").asInt());
      }
      lastId = frame.id();
    }
    for (int i = 10; i < 20; i++) {
      publish(event(subject, Severity.INFO, i));
    }
    try (SseClient sse = open(filter, Map.of("Last-Event-ID", lastId))) {
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");
      while (seen.size() < 20) {
        SseClient.Frame frame = sse.next(WAIT);
        assertThat(frame).as("event %d after resuming", seen.size()).isNotNull();
        seen.add(EventCodec.MAPPER.readTree(frame.data()).path("data").path("n").asInt());
      }
      assertThat(sse.next(Duration.ofMillis(500))).as("nothing repeated").isNull();
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(range(20));
  }

  @Test
  @DisplayName("from= an RFC 3339 time replays what was stored from then on, and nothing older.")
  void fromTime() throws Exception {
    String subject = "time-" + UUID.randomUUID();
    publish(event(subject, Severity.INFO, 0));
    await().atMost(WAIT).until(() -> Instant.now().toEpochMilli() % 1000 < 900);
    Instant between = Instant.now().plusMillis(50);
    await().atMost(WAIT).until(() -> Instant.now().isAfter(between.plusMillis(50)));
    publish(event(subject, Severity.INFO, 1));

    try (SseClient sse =
        open(
            "from=" + enc(between.toString()) + "&filter=" + enc("subject == '" + subject + "'"),
            Map.of())) {
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");
      SseClient.Frame frame = sse.next(WAIT);
      assertThat(EventCodec.MAPPER.readTree(frame.data()).path("data").path("n").asInt())
          .isEqualTo(1);
      assertThat(sse.next(Duration.ofMillis(500))).isNull();
    }
  }

  @Test
  @DisplayName("An idle stream gets heartbeat comments, so proxies keep it open.")
  void heartbeats() throws Exception {
    try (SseClient sse =
        open("filter=" + enc("subject == 'nobody-" + UUID.randomUUID() + "'"), Map.of())) {
      SseClient.Frame frame;
      do {
        frame = sse.nextAny(WAIT);
        assertThat(frame).isNotNull();
      } while (!frame.comments().contains("heartbeat"));
    }
  }

  @Test
  @DisplayName(
      "A client that does not read gets a 'dropped N' notice instead of the server buffering"
          + " without bound.")
  void slowClientGetsDroppedNotice() throws Exception {
    String subject = "slow-" + UUID.randomUUID();
    String padding = "x".repeat(8000);
    for (int i = 0; i < 2500; i++) {
      publisher.publish(
          CloudEvent.builder("com.example.bulk.v1")
              .source("/test/stream")
              .subject(subject)
              .data(EventCodec.MAPPER.createObjectNode().put("n", i).put("pad", padding))
              .build());
    }
    publish(event(subject, Severity.INFO, 9999));
    long droppedBefore = streams.droppedEvents();
    try (Socket socket = new Socket("127.0.0.1", web.actualPort())) {
      socket.setReceiveBufferSize(4096);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /api/v1/events/stream?from=beginning&filter="
                  + enc("subject == '" + subject + "'")
                  + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(WAIT).until(() -> streams.droppedEvents() > droppedBefore);
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] chunk = new byte[65536];
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!seen.toString().contains("event: dropped") && System.nanoTime() < deadline) {
        int n = in.read(chunk);
        if (n < 0) {
          break;
        }
        seen.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
        if (seen.length() > 200_000) {
          seen.delete(0, seen.length() - 1000);
        }
      }
      assertThat(seen.toString()).contains("event: dropped").containsPattern("\"dropped\":\\d+");
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static SseClient open(String query, Map<String, String> headers) {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("Authorization", "Bearer " + TOKEN);
    return SseClient.open(uri(query), all);
  }

  private static URI uri(String query) {
    return URI.create("http://127.0.0.1:" + web.actualPort() + "/api/v1/events/stream?" + query);
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static CloudEvent event(String subject, Severity severity, int n) {
    return CloudEvent.builder("com.example.stream.test.v1")
        .source("/test/stream")
        .subject(subject)
        .severity(severity)
        .data(EventCodec.MAPPER.createObjectNode().put("n", n))
        .build();
  }

  private static void publish(CloudEvent event) throws Exception {
    publisher.publish(event).toCompletionStage().toCompletableFuture().get(30, SECONDS);
  }

  private static List<Integer> range(int n) {
    List<Integer> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
    return list;
  }
}
