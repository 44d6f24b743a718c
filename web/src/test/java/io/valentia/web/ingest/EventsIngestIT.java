package io.valentia.web.ingest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("POST /api/v1/events: CloudEvents over HTTP in structured, batch and binary mode")
class EventsIngestIT {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static WebVerticle web;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "ingest-it");
    web =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            AdminToken.configured(TOKEN),
            new ApiRoutes(),
            new WebVerticle.Gateway(null, null, publisher, null));
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    publisher.close();
  }

  private static HttpResponse<String> post(String contentType, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + web.actualPort() + "/api/v1/events"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Set<String> published(String run) {
    return KafkaTestSupport.readAll(Topics.EVENTS).stream()
        .map(r -> EventCodec.instance().decodeEnvelope(r.value()))
        .filter(e -> run.equals(e.experimentId()))
        .map(CloudEvent::id)
        .collect(Collectors.toSet());
  }

  private static String structured(String id, String run) {
    return "{\"specversion\":\"1.0\",\"id\":\""
        + id
        + "\",\"source\":\"/test/ingest\",\"type\":\"com.example.deploy.v1\","
        + "\"experimentid\":\""
        + run
        + "\",\"datacontenttype\":\"application/json\",\"data\":{\"version\":\"1.2.3\"}}";
  }

  @Test
  @DisplayName("One structured event, a batch and a binary-mode event are published as given")
  void threeModes() throws Exception {
    String run = "ingest-" + UUID.randomUUID();
    HttpResponse<String> one = post(EventsIngest.STRUCTURED, structured("s-" + run, run));
    assertThat(one.statusCode()).as(one.body()).isEqualTo(202);
    HttpResponse<String> batch =
        post(
            EventsIngest.BATCH,
            "[" + structured("b1-" + run, run) + "," + structured("b2-" + run, run) + "]");
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
    assertThat(EventCodec.MAPPER.readTree(batch.body()).path("accepted").asInt()).isEqualTo(2);
    HttpResponse<String> binary =
        post(
            "application/json",
            "{\"check\":\"MTU_MISMATCH\",\"status\":\"HEALTH_WARN\",\"summary\":\"1 path\","
                + "\"detail\":[],\"count\":1}",
            "ce-specversion",
            "1.0",
            "ce-id",
            "bin-" + run,
            "ce-source",
            "/probes/mtu/host-a",
            "ce-type",
            "io.valentia.health.changed.v1",
            "ce-experimentid",
            run,
            "ce-severity",
            "warning");
    assertThat(binary.statusCode()).as(binary.body()).isEqualTo(202);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(published(run))
                    .containsExactlyInAnyOrder("s-" + run, "b1-" + run, "b2-" + run, "bin-" + run));
  }

  @Test
  @DisplayName(
      "A batch with invalid events is refused whole with every problem of every event, and"
          + " nothing of it is published")
  void invalidBatchPublishesNothing() throws Exception {
    String run = "ingest-bad-" + UUID.randomUUID();
    String bad =
        "{\"specversion\":\"1.0\",\"id\":\"x-"
            + run
            + "\",\"source\":\"/t\",\"type\":\"io.valentia.health.changed.v1\","
            + "\"experimentid\":\""
            + run
            + "\",\"data\":{\"check\":\"X\"}}";
    HttpResponse<String> answer =
        post(EventsIngest.BATCH, "[" + structured("ok-" + run, run) + "," + bad + ",{}]");
    assertThat(answer.statusCode()).isEqualTo(400);
    JsonNode problems = EventCodec.MAPPER.readTree(answer.body()).path("problems");
    List<String> texts = EventCodec.MAPPER.convertValue(problems, List.class);
    assertThat(texts)
        .anyMatch(p -> p.startsWith("events[1]: "))
        .anyMatch(p -> p.startsWith("events[2]: "))
        .noneMatch(p -> p.startsWith("events[0]"));
    assertThat(post("text/plain", "hello").statusCode()).isEqualTo(415);
    assertThat(post(EventsIngest.STRUCTURED, "{not json").statusCode()).isEqualTo(400);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .until(() -> published(run).isEmpty());
  }
}
