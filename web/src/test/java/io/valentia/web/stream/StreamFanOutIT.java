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
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Many live streams share one reading of the events topic")
class StreamFanOutIT {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String[] SEVERITIES = {"info", "warning", "critical"};

  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static EventStreams streams;
  private static WebVerticle web;

  @BeforeAll
  static void start() throws Exception {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "fan-out-it");
    streams =
        new EventStreams(
            KafkaTestSupport.settings(),
            new EventStreams.Limits(
                100_000, 8 << 20, Duration.ofSeconds(1), Duration.ofSeconds(2), 64, 64));
    web = deploy(streams);
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
      "Ten streams with five different filters, all fed by one reader, each get exactly the"
          + " events their filter selects, in the order of their partitions.")
  void manyFiltersExactlyTheirEvents() throws Exception {
    String run = "fan-" + UUID.randomUUID();
    String[] subjects = {run + "-a", run + "-b", run + "-c", run + "-d"};
    Map<String, Predicate<JsonNode>> filters = new LinkedHashMap<>();
    filters.put("subject == '" + subjects[0] + "'", e -> subject(e).equals(subjects[0]));
    filters.put("subject == '" + subjects[1] + "'", e -> subject(e).equals(subjects[1]));
    filters.put(
        "subject in ['" + subjects[2] + "', '" + subjects[3] + "']",
        e -> subject(e).equals(subjects[2]) || subject(e).equals(subjects[3]));
    filters.put(
        "subject.startsWith('" + run + "') && severity >= 'warning'",
        e -> !e.path("severity").asText().equals("info"));
    filters.put("subject.startsWith('" + run + "')", e -> true);
    int[] copies = {3, 2, 2, 2, 1};

    List<SseClient> clients = new ArrayList<>();
    List<Predicate<JsonNode>> wants = new ArrayList<>();
    try {
      int f = 0;
      for (Map.Entry<String, Predicate<JsonNode>> filter : filters.entrySet()) {
        for (int c = 0; c < copies[f]; c++) {
          SseClient sse = open("filter=" + enc(filter.getKey()));
          assertThat(sse.next(WAIT).event()).isEqualTo("ready");
          clients.add(sse);
          wants.add(filter.getValue());
        }
        f++;
      }
      assertThat(streams.openReaders()).as("readers of the topic for 10 streams").isEqualTo(1);

      List<JsonNode> published = new ArrayList<>();
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int n = 0; n < 240; n++) {
        CloudEvent event =
            CloudEvent.builder("com.example.fan.out.v1")
                .source("/test/fan-out")
                .subject(subjects[n % 4])
                .severity(Severity.parse(SEVERITIES[(n / 4) % 3]).orElseThrow())
                .data(EventCodec.MAPPER.createObjectNode().put("n", n))
                .build();
        published.add(EventCodec.MAPPER.readTree(EventCodec.instance().encode(event)));
        sent.add(publisher.publish(event).toCompletionStage().toCompletableFuture());
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, SECONDS);

      for (int i = 0; i < clients.size(); i++) {
        List<JsonNode> expected = published.stream().filter(wants.get(i)).toList();
        List<JsonNode> got = new ArrayList<>();
        while (got.size() < expected.size()) {
          SseClient.Frame frame = clients.get(i).next(WAIT);
          assertThat(frame)
              .as("stream %d: event %d of %d", i, got.size(), expected.size())
              .isNotNull();
          assertThat(frame.event()).as("stream %d", i).isEqualTo("message");
          got.add(EventCodec.MAPPER.readTree(frame.data()));
        }
        assertThat(clients.get(i).next(Duration.ofMillis(300))).as("stream %d: more", i).isNull();
        // one subject is one partition: its events arrive in the order they were published
        for (String subject : subjects) {
          assertThat(numbers(got, subject))
              .as("stream %d, subject %s", i, subject)
              .containsExactlyElementsOf(numbers(expected, subject));
        }
      }
    } finally {
      clients.forEach(SseClient::close);
    }
  }

  @Test
  @DisplayName(
      "A client that stops reading is dropped for and then cut off, while a healthy client of the"
          + " same filter gets every event in order and no drop notice.")
  void stalledClientDoesNotHurtAHealthyOne() throws Exception {
    String subject = "stall-" + UUID.randomUUID();
    String filter = "filter=" + enc("subject == '" + subject + "'");
    long droppedBefore = streams.droppedEvents();
    int openBefore = streams.openStreams();
    try (SseClient healthy = open(filter);
        Socket stalled = new Socket()) {
      assertThat(healthy.next(WAIT).event()).isEqualTo("ready");
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress("127.0.0.1", web.actualPort()));
      OutputStream out = stalled.getOutputStream();
      out.write(
          ("GET /api/v1/events/stream?"
                  + filter
                  + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(WAIT).until(() -> streams.openStreams() == openBefore + 2);

      // 24 MB in batches of 800 kB: the healthy client reads each batch before the next is
      // published, so it is never far behind; the stalled one falls further behind with each
      int count = 3000;
      int batch = 100;
      String padding = "x".repeat(8000);
      List<Integer> got = new ArrayList<>();
      for (int first = 0; first < count; first += batch) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int n = first; n < first + batch; n++) {
          sent.add(
              publisher
                  .publish(
                      CloudEvent.builder("com.example.bulk.v1")
                          .source("/test/stream")
                          .subject(subject)
                          .data(
                              EventCodec.MAPPER.createObjectNode().put("n", n).put("pad", padding))
                          .build())
                  .toCompletionStage()
                  .toCompletableFuture());
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, SECONDS);
        while (got.size() < first + batch) {
          SseClient.Frame frame = healthy.next(WAIT);
          assertThat(frame).as("healthy client: event %d", got.size()).isNotNull();
          assertThat(frame.event()).as("healthy client: frame %d", got.size()).isEqualTo("message");
          got.add(EventCodec.MAPPER.readTree(frame.data()).path("data").path("n").asInt());
        }
      }
      assertThat(got).containsExactlyElementsOf(range(count));

      assertThat(streams.droppedEvents())
          .as("dropped for the stalled client")
          .isGreaterThan(droppedBefore);
      await().atMost(WAIT).until(() -> streams.openStreams() == openBefore + 1);
      assertThat(connectionEnds(stalled)).as("the stalled client's connection was closed").isTrue();
    }
  }

  @Test
  @DisplayName(
      "A stream resumed with Last-Event-ID while events keep arriving catches up with a reader of"
          + " its own, then joins the shared one without a gap or a duplicate.")
  void resumeWhileEventsFlow() throws Exception {
    String subject = "flow-" + UUID.randomUUID();
    String filter = "filter=" + enc("subject == '" + subject + "'");
    List<Integer> seen = new ArrayList<>();
    String lastId;
    try (SseClient sse = open(filter)) {
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");
      publishNumbered(subject, 0, 100);
      SseClient.Frame frame = null;
      for (int i = 0; i < 50; i++) {
        frame = sse.next(WAIT);
        seen.add(EventCodec.MAPPER.readTree(frame.data()).path("data").path("n").asInt());
      }
      lastId = frame.id();
    }
    AtomicBoolean publishing = new AtomicBoolean(true);
    Thread background =
        new Thread(
            () -> {
              try {
                for (int n = 100; n < 400; n += 10) {
                  publishNumbered(subject, n, n + 10);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              } finally {
                publishing.set(false);
              }
            });
    background.start();
    try (SseClient sse = open(filter, Map.of("Last-Event-ID", lastId))) {
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");
      while (seen.size() < 400) {
        SseClient.Frame frame = sse.next(WAIT);
        assertThat(frame).as("event %d after resuming", seen.size()).isNotNull();
        assertThat(frame.event()).isEqualTo("message");
        seen.add(EventCodec.MAPPER.readTree(frame.data()).path("data").path("n").asInt());
      }
      background.join(30_000);
      assertThat(publishing).isFalse();
      assertThat(sse.next(Duration.ofMillis(500))).as("nothing repeated").isNull();
      assertThat(streams.openReaders()).as("the catch-up reader has ended").isEqualTo(1);
    }
    assertThat(seen).containsExactlyElementsOf(range(400));
  }

  @Test
  @DisplayName(
      "With sample=5 the list gets a few events a second while the per-second summaries count"
          + " every matching event by type.")
  void samplingWithSummaries() throws Exception {
    String subject = "sample-" + UUID.randomUUID();
    try (SseClient sse = open("sample=5&filter=" + enc("subject == '" + subject + "'"))) {
      assertThat(sse.next(WAIT).event()).isEqualTo("ready");
      publishNumbered(subject, 0, 60);
      long matched = 0;
      long typed = 0;
      int events = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (matched < 60 && System.nanoTime() < deadline) {
        SseClient.Frame frame = sse.next(Duration.ofSeconds(3));
        if (frame == null) {
          continue;
        }
        if (frame.event().equals("summary")) {
          JsonNode summary = EventCodec.MAPPER.readTree(frame.data());
          matched += summary.path("matched").asLong();
          typed += summary.path("types").path("com.example.numbered.v1").asLong();
          assertThat(summary.path("sent").asLong()).isLessThanOrEqualTo(5);
        } else {
          assertThat(frame.event()).isEqualTo("message");
          events++;
        }
      }
      assertThat(matched).as("matching events counted by the summaries").isEqualTo(60);
      assertThat(typed).isEqualTo(60);
      assertThat(events).as("events in the list").isBetween(5, 20);
    }
  }

  @Test
  @DisplayName(
      "Beyond the per-principal cap, and beyond the process cap, a stream is refused with 503, a"
          + " reason and Retry-After.")
  void capsRefuseWith503() throws Exception {
    EventStreams perPrincipal =
        new EventStreams(KafkaTestSupport.settings(), EventStreams.Limits.DEFAULT.withCaps(10, 2));
    EventStreams perProcess =
        new EventStreams(KafkaTestSupport.settings(), EventStreams.Limits.DEFAULT.withCaps(2, 10));
    for (EventStreams capped : List.of(perPrincipal, perProcess)) {
      WebVerticle server = deploy(capped);
      URI uri = URI.create("http://127.0.0.1:" + server.actualPort() + "/api/v1/events/stream");
      try (SseClient one = SseClient.open(uri, Map.of("Authorization", "Bearer " + TOKEN));
          SseClient two = SseClient.open(uri, Map.of("Authorization", "Bearer " + TOKEN))) {
        assertThat(one.status()).isEqualTo(200);
        assertThat(two.status()).isEqualTo(200);
        HttpResponse<String> third =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(third.statusCode()).isEqualTo(503);
        assertThat(third.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(EventCodec.MAPPER.readTree(third.body()).path("error").asText())
            .contains(capped == perPrincipal ? "the most one user may have" : "on this server");
      } finally {
        vertx
            .undeploy(server.deploymentID())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, SECONDS);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static WebVerticle deploy(EventStreams streams) throws Exception {
    WebVerticle server =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            AdminToken.configured(TOKEN),
            new ApiRoutes(),
            new WebVerticle.Gateway(null, null, null, streams));
    vertx.deployVerticle(server).toCompletionStage().toCompletableFuture().get(30, SECONDS);
    return server;
  }

  /** Reads what the server still sends until the connection ends; false if it stays open. */
  private static boolean connectionEnds(Socket socket) throws IOException {
    socket.setSoTimeout(1000);
    InputStream in = socket.getInputStream();
    byte[] chunk = new byte[1 << 16];
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (in.read(chunk) < 0) {
          return true;
        }
      } catch (java.net.SocketTimeoutException stillOpen) {
        // nothing came within a second: keep waiting for the end
      } catch (IOException reset) {
        return true;
      }
    }
    return false;
  }

  private static void publishNumbered(String subject, int from, int to) throws Exception {
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (int n = from; n < to; n++) {
      sent.add(
          publisher
              .publish(
                  CloudEvent.builder("com.example.numbered.v1")
                      .source("/test/fan-out")
                      .subject(subject)
                      .data(EventCodec.MAPPER.createObjectNode().put("n", n))
                      .build())
              .toCompletionStage()
              .toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, SECONDS);
  }

  private static String subject(JsonNode event) {
    return event.path("subject").asText();
  }

  private static List<Integer> numbers(List<JsonNode> events, String subject) {
    return events.stream()
        .filter(e -> subject(e).equals(subject))
        .map(e -> e.path("data").path("n").asInt())
        .toList();
  }

  private static SseClient open(String query) {
    return open(query, Map.of());
  }

  private static SseClient open(String query, Map<String, String> headers) {
    Map<String, String> all = new HashMap<>(headers);
    all.put("Authorization", "Bearer " + TOKEN);
    return SseClient.open(
        URI.create("http://127.0.0.1:" + web.actualPort() + "/api/v1/events/stream?" + query), all);
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static List<Integer> range(int n) {
    List<Integer> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
    return list;
  }
}
