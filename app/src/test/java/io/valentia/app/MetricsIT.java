package io.valentia.app;

import static io.valentia.app.ApiCalls.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.app.ApiCalls.Answer;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /metrics} of a real platform (the {@link SharedPlatform}: every role on the embedded
 * broker, metrics on a port of their own), scraped as Prometheus does: the platform's meters are
 * there by name and move when events are published through the API, an invalid record is
 * dead-lettered, a chaos fault pauses a process the allow-list names and a halt reverts it.
 */
@DisplayName("The Prometheus endpoint of a real platform")
@ExtendWith(SharedPlatform.Resolver.class)
class MetricsIT {
  private static final String ADMIN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Platform platform;
  private static Process sleeper;
  private static Vertx vertx;
  private static KafkaEventPublisher raw;

  @BeforeAll
  static void start(SharedPlatform shared) {
    platform = shared.platform();
    sleeper = shared.sleeper(SharedPlatform.Sleeper.METRICS);
    vertx = Vertx.vertx();
    // the platform's embedded broker: signed in with its data directory's credentials
    raw = new KafkaEventPublisher(vertx, shared.kafka(), "metrics-it");
  }

  @AfterAll
  static void stop() throws Exception {
    if (raw != null) {
      raw.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "GET /metrics answers without a token in the Prometheus text format with the platform's,"
          + " Vert.x's and the JVM's meters")
  void scrapeHasTheNames() throws Exception {
    assertThat(platform.metricsPort()).isPositive();
    HttpResponse<String> response = scrape();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body())
        .contains(
            "# TYPE valentia_live_streams gauge",
            "# TYPE valentia_faults_active gauge",
            "# TYPE valentia_indexer_lag_records gauge",
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "vertx_http_server_active_connections");
    // only /metrics answers on this port
    assertThat(get("/api/v1/whoami").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName(
      "Events published through the API, a dead letter, a live stream, a chaos fault and a halt"
          + " each move their meter, and HTTP requests are counted by route and status")
  void countsMove() throws Exception {
    String base = "http://127.0.0.1:" + platform.httpPort();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String operator = ApiCalls.token(base, ADMIN, "metrics-operator-" + run, "operator");
    String events = "valentia_events_published_total{topic=\"" + Topics.EVENTS + "\"}";
    String consumed =
        "valentia_events_consumed_total{group=\"valentia.deadletter-gate\",topic=\""
            + Topics.EVENTS
            + "\"}";
    String deadLetters =
        "valentia_dead_letters_total{reason=\"not-json\",topic=\"" + Topics.EVENTS + "\"}";
    double publishedBefore = value(events);
    double consumedBefore = value(consumed);
    double deadBefore = value(deadLetters);
    double haltsBefore = value("valentia_halts_total");

    // three events through POST /api/v1/events, as any CloudEvents producer sends them
    for (int i = 0; i < 3; i++) {
      Answer posted =
          api(
              base,
              operator,
              "POST",
              "/api/v1/events",
              """
              {"specversion": "1.0", "id": "metrics-%s-%d", "source": "/test/metrics",
               "type": "com.example.metrics.v1", "subject": "metrics-%s"}
              """
                  .formatted(run, i, run));
      assertThat(posted.status()).as(posted.body().toString()).isLessThan(300);
    }
    // a record that is not an event: the dead-letter gate sets it aside
    raw.send(
            new ProducerRecord<>(
                Topics.EVENTS, ("not json " + run).getBytes(StandardCharsets.UTF_8)))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(value(events)).isGreaterThanOrEqualTo(publishedBefore + 3);
              assertThat(value(consumed)).isGreaterThanOrEqualTo(consumedBefore + 3);
              assertThat(value(deadLetters)).isGreaterThanOrEqualTo(deadBefore + 1);
            });

    // a live stream counts while it is open
    HttpRequest stream =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/events/stream?from=end"))
            .header("Authorization", "Bearer " + operator)
            .build();
    HttpResponse<InputStream> open = HTTP.send(stream, HttpResponse.BodyHandlers.ofInputStream());
    try {
      assertThat(open.statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> value("valentia_live_streams"), v -> v >= 1);
    } finally {
      open.body().close();
    }

    // a chaos fault is active until a halt reverts it
    Answer started =
        api(
            base,
            operator,
            "POST",
            "/api/v1/experiments/runs",
            """
            {"title": "pause the sleeper %s", "method": [
              {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "10m"}}}]}
            """
                .formatted(run, sleeper.pid()));
    assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> value("valentia_faults_active"), v -> v >= 1);
    Answer halted =
        api(base, operator, "POST", "/api/v1/halt", "{\"reason\": \"metrics " + run + "\"}");
    assertThat(halted.status()).as(halted.body().toString()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(value("valentia_halts_total")).isGreaterThanOrEqualTo(haltsBefore + 1);
              assertThat(value("valentia_faults_active")).isZero();
            });
    api(base, operator, "POST", "/api/v1/halt", "{\"release\": true}");

    // HTTP requests by route, method and status (Vert.x's own meter)
    String body = scrape().body();
    assertThat(body)
        .containsPattern(
            "vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*method=\"POST\"[^}]*"
                + "route=\"[^\"]*/halt[^\"]*\"[^}]*\\} [1-9]");
  }

  // ---------------------------------------------------------------------------------------------

  private static HttpResponse<String> scrape() throws IOException, InterruptedException {
    return get("/metrics");
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.metricsPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of one series ({@code name} or {@code name{labels}}, labels in the order Prometheus
   * writes them: sorted); 0 while it does not exist yet.
   */
  private static double value(String series) throws IOException, InterruptedException {
    Matcher line =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape().body());
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }
}
