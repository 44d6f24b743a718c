package io.valentia.postmortem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The postmortem role on the shared Kafka, answering over HTTP as the web service mounts it. */
class PostmortemServiceIT {
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static HttpServer server;
  private static Path dir;
  private static final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
  private static final HttpClient http = HttpClient.newHttpClient();

  record Context(
      Vertx vertx,
      KafkaSettings kafka,
      KafkaEventPublisher publisher,
      Path dataDir,
      JsonNode config,
      Map<String, String> environment,
      HealthRegistry health,
      ApiRoutes api,
      PrintStream console)
      implements ServiceContext {}

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("valentia-postmortem-it");
    vertx = Vertx.vertx();
    KafkaSettings kafka = KafkaTestSupport.settings();
    publisher = new KafkaEventPublisher(vertx, kafka, "postmortem-it");
    HealthRegistry health =
        new HealthRegistry() {
          @Override
          public void service(String name, ServiceStatus status) {
            services.put(name, status);
          }

          @Override
          public void raise(String name, HealthCheck check) {}

          @Override
          public void clear(String name) {}

          @Override
          public Future<HealthReport> report() {
            return Future.failedFuture("not used");
          }
        };
    ApiRoutes api = new ApiRoutes();
    Context context =
        new Context(
            vertx,
            kafka,
            publisher,
            dir.resolve("postmortem"),
            EventCodec.MAPPER.readTree("{\"refreshIntervalMs\": 200, \"commitIntervalMs\": 1000}"),
            Map.of(),
            health,
            api,
            System.out);
    new PostmortemService()
        .start(context)
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    Router root = Router.router(vertx);
    api.mounted().forEach((path, sub) -> root.route("/api/v1" + path + "*").subRouter(sub));
    server =
        vertx
            .createHttpServer()
            .requestHandler(root)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    KafkaTestSupport.deleteRecursively(dir);
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.actualPort() + "/api/v1" + pathAndQuery))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.actualPort() + "/api/v1" + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String q(String query) {
    return URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  private static void publish(CloudEvent event) throws Exception {
    publisher.publish(event).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "Published events become searchable over HTTP with facet counts, and a bad query is a 400")
  void searchOverHttp() throws Exception {
    String hmd = "hmd-it-" + UUID.randomUUID();
    // three bursts may also open an incident on this subject: count the frame events only
    String frames = "subject:" + hmd + " AND type:" + EventType.PROBE_FRAME_DROPPED.type();
    for (int i = 0; i < 3; i++) {
      publish(
          CloudEvent.of(new FrameDropped(90, 2 + i, 10L * i, 10L * i + 1, 12_000, "loop"))
              .source("/probes/frames/" + hmd)
              .subject(hmd)
              .build());
    }

    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () -> {
              HttpResponse<String> answer = get("/events/search?q=" + q(frames));
              assertThat(EventCodec.MAPPER.readTree(answer.body()).path("total").asLong())
                  .as(answer.statusCode() + " " + answer.body() + " " + services)
                  .isEqualTo(3);
            });
    JsonNode page = EventCodec.MAPPER.readTree(get("/events/search?size=2&q=" + q(frames)).body());
    assertThat(page.path("hits")).hasSize(2);
    assertThat(page.path("nextCursor").asText()).isNotEmpty();
    assertThat(page.path("facets").path("type").get(0).path("value").asText())
        .isEqualTo(EventType.PROBE_FRAME_DROPPED.type());
    assertThat(page.path("facets").path("type").get(0).path("count").asLong()).isEqualTo(3);
    JsonNode next =
        EventCodec.MAPPER.readTree(
            get("/events/search?size=2&q="
                    + q(frames)
                    + "&cursor="
                    + page.path("nextCursor").asText())
                .body());
    assertThat(next.path("hits")).as("page 1: " + page.path("hits")).hasSize(1);

    HttpResponse<String> bad = get("/events/search?q=" + q("type:(unclosed"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(EventCodec.MAPPER.readTree(bad.body()).path("error").asText())
        .contains("does not parse");
    assertThat(get("/events/search?from=yesterday").statusCode()).isEqualTo(400);
    assertThat(services.get(PostmortemService.ROLE).state()).isEqualTo("running");
  }

  @Test
  @DisplayName(
      "An MTU mismatch on the stream opens an incident, published on valentia.events and listed by the API, whose lifecycle the API moves")
  void mtuMismatchOpensIncident() throws Exception {
    String subject = "osd-it-" + UUID.randomUUID() + "->osd-7";
    // the detector's group starts at the end of the log: publish until it has seen one
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              publish(
                  CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
                      .source("/probes/mtu/osd-it")
                      .subject(subject)
                      .build());
              return incidentOf(subject) != null;
            });
    JsonNode incident = incidentOf(subject);
    assertThat(incident.path("status").asText()).isEqualTo("open");
    assertThat(incident.path("rule").asText()).isEqualTo("mtu-mismatch");
    String id = incident.path("id").asText();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                KafkaTestSupport.readAll(Topics.EVENTS).stream()
                    .map(r -> EventCodec.instance().decode(r.value()))
                    .anyMatch(
                        e ->
                            e.type().equals(EventType.INCIDENT_OPENED.type())
                                && id.equals(e.incidentId())));

    HttpResponse<String> moved =
        post("/incidents/" + id + "/status", "{\"status\":\"mitigated\",\"by\":\"dana\"}");
    assertThat(moved.statusCode()).isEqualTo(200);
    assertThat(EventCodec.MAPPER.readTree(moved.body()).path("status").asText())
        .isEqualTo("mitigated");
    assertThat(post("/incidents/" + id + "/status", "{\"status\":\"bogus\"}").statusCode())
        .isEqualTo(400);
    post("/incidents/" + id + "/status", "{\"status\":\"closed\"}");
    assertThat(post("/incidents/" + id + "/status", "{\"status\":\"open\"}").statusCode())
        .isEqualTo(409);
    assertThat(get("/incidents/inc-none").statusCode()).isEqualTo(404);
  }

  private static JsonNode incidentOf(String subject) throws Exception {
    for (JsonNode incident :
        EventCodec.MAPPER.readTree(get("/incidents/").body()).path("incidents")) {
      for (JsonNode s : incident.path("subjects")) {
        if (s.asText().equals(subject)) {
          return incident;
        }
      }
    }
    return null;
  }
}
