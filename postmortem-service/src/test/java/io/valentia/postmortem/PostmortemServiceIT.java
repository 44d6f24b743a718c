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
import io.valentia.eventbus.kafka.StateTables;
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
  private static Context context;

  /** Incident detection's application id: one of its own, as tests share the broker. */
  private static final String APPLICATION_ID = "valentia-incidents-it-" + UUID.randomUUID();

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
      StateTables stateTables,
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
    context =
        new Context(
            vertx,
            kafka,
            publisher,
            dir.resolve("postmortem"),
            EventCodec.MAPPER.readTree(
                "{\"refreshIntervalMs\": 200, \"commitIntervalMs\": 1000,"
                    + " \"incidents\": {\"applicationId\": \""
                    + APPLICATION_ID
                    + "\"}}"),
            Map.of(),
            health,
            new StateTables(kafka),
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

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.actualPort() + "/api/v1" + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return EventCodec.MAPPER.readTree(response.body());
  }

  private static HttpResponse<String> revise(String id, int expected, String sections)
      throws Exception {
    return send(
        "PUT",
        "/postmortems/" + id,
        "{\"expectedRevision\": "
            + expected
            + ", \"author\": \"erin\", \"sections\": "
            + sections
            + "}");
  }

  @Test
  @DisplayName(
      "A postmortem keeps every revision: created, revised three times, revision 2 reads back as it was, revisions 1 and 3 compare section by section, and a stale revise is a 409")
  void revisionHistoryRoundTrip() throws Exception {
    String id = "pm-it-" + UUID.randomUUID();
    HttpResponse<String> created =
        post(
            "/postmortems",
            "{\"id\": \""
                + id
                + "\", \"author\": \"dana\", \"document\": {\"title\": \"Jumbo frames lost\","
                + " \"summary\": \"Large packets between osd-3 and osd-7 were dropped.\"}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(json(created).path("revision").asInt()).isEqualTo(1);

    assertThat(
            revise(id, 1, "{\"impact\": \"Ceph heartbeats were slow for 41 minutes.\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            revise(
                    id,
                    2,
                    "{\"contributingFactors\": [\"The switch port kept MTU 1500\"],"
                        + " \"summary\": \"Jumbo frames between osd-3 and osd-7 were black-holed.\"}")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> third =
        send(
            "POST",
            "/postmortems/" + id + "/status",
            "{\"expectedRevision\": 3, \"status\": \"in-review\", \"author\": \"frank\"}");
    assertThat(third.statusCode()).as(third.body()).isEqualTo(200);
    assertThat(json(third).path("revision").asInt()).isEqualTo(4);

    HttpResponse<String> stale = revise(id, 2, "{\"impact\": \"overwritten\"}");
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(json(stale).path("latestRevision").asInt()).isEqualTo(4);

    JsonNode two = json(get("/postmortems/" + id + "/revisions/2"));
    assertThat(two.path("revision").asInt()).isEqualTo(2);
    assertThat(two.path("document").path("summary").asText())
        .isEqualTo("Large packets between osd-3 and osd-7 were dropped.");
    assertThat(two.path("document").path("impact").asText())
        .isEqualTo("Ceph heartbeats were slow for 41 minutes.");
    assertThat(two.path("document").path("contributingFactors")).isEmpty();

    JsonNode revisions = json(get("/postmortems/" + id + "/revisions")).path("revisions");
    assertThat(revisions).hasSize(4);
    assertThat(revisions.get(0).path("author").asText()).isEqualTo("dana");
    assertThat(revisions.get(2).path("sections").toString())
        .contains("summary", "contributingFactors");
    assertThat(revisions.get(3).path("action").asText()).isEqualTo("status-changed");

    JsonNode diff = json(get("/postmortems/" + id + "/compare?from=1&to=3"));
    assertThat(diff.path("sections").findValuesAsText("section"))
        .containsExactly("summary", "impact", "contributingFactors");
    JsonNode factors = diff.path("sections").get(2);
    assertThat(factors.path("added").get(0).asText()).isEqualTo("The switch port kept MTU 1500");

    JsonNode current = json(get("/postmortems/" + id));
    assertThat(current.path("status").asText()).isEqualTo("in-review");
    assertThat(current.path("authors").toString()).contains("dana", "erin", "frank");

    long onTheLog =
        KafkaTestSupport.readAll(Topics.POSTMORTEMS).stream()
            .filter(r -> id.equals(new String(r.key(), StandardCharsets.UTF_8)))
            .count();
    assertThat(onTheLog).as("every revision is an event keyed by the postmortem id").isEqualTo(4);

    String markdown = get("/postmortems/" + id + "/export?format=markdown").body();
    assertThat(markdown)
        .contains("# Jumbo frames lost", "Status: in-review", "- The switch port kept MTU 1500");
    assertThat(json(get("/postmortems/" + id + "/export?format=json")).path("impact").asText())
        .startsWith("Ceph heartbeats");
  }

  @Test
  @DisplayName(
      "Bad changes get a 400 naming every problem, unknown postmortems a 404, and nothing reaches the log")
  void badInputIsRefused() throws Exception {
    String id = "pm-it-bad-" + UUID.randomUUID();
    assertThat(
            post("/postmortems", "{\"id\": \"" + id + "\", \"document\": {\"title\": \"T\"}}")
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> bad =
        revise(
            id,
            1,
            "{\"sumary\": \"typo\", \"findings\": \"not a list\", \"status\": \"published\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).path("problems")).hasSize(3);
    assertThat(send("PUT", "/postmortems/" + id, "{\"sections\": {}}").statusCode()).isEqualTo(400);
    assertThat(send("PUT", "/postmortems/" + id, "not json").statusCode()).isEqualTo(400);
    assertThat(post("/postmortems", "{\"id\": \"bad id!\"}").statusCode()).isEqualTo(400);
    assertThat(post("/postmortems", "{\"id\": \"" + id + "\"}").statusCode()).isEqualTo(409);
    assertThat(get("/postmortems/pm-none").statusCode()).isEqualTo(404);
    assertThat(get("/postmortems/" + id + "/revisions/9").statusCode()).isEqualTo(404);
    assertThat(get("/postmortems/" + id + "/compare?from=x").statusCode()).isEqualTo(400);
    assertThat(get("/postmortems/" + id + "/export?format=pdf").statusCode()).isEqualTo(400);
    assertThat(json(get("/postmortems/" + id)).path("revision").asInt()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Postmortems are searchable with facet counts and highlights, and a bad query is a 400")
  void postmortemSearch() throws Exception {
    String word = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    for (int i = 0; i < 3; i++) {
      String body =
          "{\"author\": \"searcher-"
              + (i % 2)
              + "\", \"document\": {\"title\": \"Heartbeat "
              + word
              + " "
              + i
              + "\", \"status\": \""
              + (i == 0 ? "final" : "draft")
              + "\", \"summary\": \"The "
              + word
              + " link dropped jumbo frames.\"}}";
      assertThat(post("/postmortems", body).statusCode()).isEqualTo(201);
    }
    JsonNode page = json(get("/postmortems/search?q=" + q(word) + "&size=2&sort=oldest"));
    assertThat(page.path("total").asLong()).isEqualTo(3);
    assertThat(page.path("hits")).hasSize(2);
    assertThat(page.path("hits").get(0).path("snippet").asText()).contains("<b>" + word + "</b>");
    assertThat(page.path("hits").get(0).path("source").path("title").asText())
        .isEqualTo("Heartbeat " + word + " 0");
    assertThat(page.path("facets").path("status").toString())
        .contains("{\"value\":\"draft\",\"count\":2}", "{\"value\":\"final\",\"count\":1}");
    assertThat(page.path("facets").path("author").toString()).contains("searcher-0", "searcher-1");
    JsonNode next =
        json(
            get(
                "/postmortems/search?q="
                    + q(word)
                    + "&size=2&sort=oldest&cursor="
                    + page.path("nextCursor").asText()));
    assertThat(next.path("hits")).hasSize(1);
    assertThat(
            json(get("/postmortems/search?q=" + q("status:final AND " + word)))
                .path("total")
                .asLong())
        .isEqualTo(1);
    assertThat(get("/postmortems/search?q=" + q("title:(broken")).statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName(
      "Text not saved yet is reviewed without a revision; a postmortem with remarks is refused as"
          + " final (422, the remarks listed) and becomes final once reworded; an annotation's"
          + " changed time and text are both in its edit trail")
  void reviewGatesFinal() throws Exception {
    String id = "pm-final-" + UUID.randomUUID();
    HttpResponse<String> created =
        post(
            "/postmortems",
            "{\"id\": \""
                + id
                + "\", \"author\": \"dana\", \"document\": {\"title\": \"Disk filled\","
                + " \"timeline\": [{\"time\": \"04:00\", \"text\": \"Disk alert\"}]}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    HttpResponse<String> linted =
        post(
            "/postmortems/review",
            "{\"id\": \""
                + id
                + "\", \"document\": {\"summary\": \"Dave forgot to rotate the logs.\"}}");
    assertThat(linted.statusCode()).as(linted.body()).isEqualTo(200);
    assertThat(json(linted).path("problems").findValuesAsText("where")).contains("summary");
    assertThat(json(linted).path("problems").findValuesAsText("rule")).contains("person-blame");
    assertThat(
            post("/postmortems/review", "{\"document\": {\"summary\": \"The disk filled.\"}}")
                .body())
        .isEqualTo("{\"problems\":[]}");
    assertThat(post("/postmortems/review", "{\"document\": {\"summary\": 3}}").statusCode())
        .isEqualTo(400);
    assertThat(json(get("/postmortems/" + id)).path("revision").asInt())
        .as("reviewing unsaved text makes no revision")
        .isEqualTo(1);

    assertThat(revise(id, 1, "{\"summary\": \"Dave forgot to rotate the logs.\"}").statusCode())
        .isEqualTo(200);
    HttpResponse<String> refused =
        send(
            "POST",
            "/postmortems/" + id + "/status",
            "{\"expectedRevision\": 2, \"status\": \"final\"}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(json(refused).path("remarks").findValuesAsText("rule")).contains("person-blame");
    assertThat(json(refused).path("problems").get(0).asText()).startsWith("summary:");
    assertThat(revise(id, 2, "{\"status\": \"final\"}").statusCode())
        .as("a PUT cannot make it final either")
        .isEqualTo(422);

    JsonNode timeline = json(get("/postmortems/" + id)).path("document").path("timeline");
    com.fasterxml.jackson.databind.node.ObjectNode entry =
        (com.fasterxml.jackson.databind.node.ObjectNode) timeline.get(0).deepCopy();
    entry.put("time", "04:02").put("text", "Disk alert paged the on-call engineer");
    entry.putArray("edits").addObject().put("by", "mallory").put("before", "forged");
    HttpResponse<String> reworded =
        revise(
            id,
            2,
            "{\"summary\": \"Log rotation was not scheduled on the new hosts.\", \"timeline\": ["
                + entry
                + "]}");
    assertThat(reworded.statusCode()).as(reworded.body()).isEqualTo(200);
    JsonNode edits = json(reworded).path("document").path("timeline").get(0).path("edits");
    assertThat(edits.findValuesAsText("field")).containsExactly("time", "text");
    assertThat(edits.findValuesAsText("by")).containsOnly("erin");
    assertThat(edits.get(0).path("before").asText()).isEqualTo("04:00");
    assertThat(edits.get(0).path("after").asText()).isEqualTo("04:02");

    HttpResponse<String> accepted =
        send(
            "POST",
            "/postmortems/" + id + "/status",
            "{\"expectedRevision\": 3, \"status\": \"final\"}");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    assertThat(json(accepted).path("status").asText()).isEqualTo("final");
  }

  @Test
  @DisplayName(
      "A postmortem created for an incident drafts its timeline from the indexed evidence; an edited entry keeps its time and records who changed what; the review flags blame and testimony that the evidence does not show")
  void timelineFromEvidence() throws Exception {
    String host = "osd-tl-" + UUID.randomUUID();
    String subject = host + "->osd-7";
    String experiment = "exp-" + UUID.randomUUID();
    publish(
        CloudEvent.of(
                new io.valentia.eventbus.payload.ExperimentStep(
                    "run-1",
                    "method",
                    "shrink-mtu",
                    "action",
                    "succeeded",
                    java.time.Instant.now(),
                    null,
                    null,
                    null))
            .source("/chaos/runs/run-1")
            .subject(subject)
            .experimentId(experiment)
            .build());
    publish(
        CloudEvent.of(
                new io.valentia.eventbus.payload.HealthChanged(
                    "MTU_MISMATCH",
                    "HEALTH_WARN",
                    "1 peer drops large frames",
                    java.util.List.of(),
                    1))
            .source("/probes/mtu/" + host)
            .subject(subject)
            .build());
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              publish(
                  CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
                      .source("/probes/mtu/" + host)
                      .subject(subject)
                      .build());
              return incidentOf(subject) != null;
            });
    String incident = incidentOf(subject).path("id").asText();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                json(get(
                            "/events/search?facet=none&q="
                                + q(
                                    "incidentid:\""
                                        + incident
                                        + "\" OR subject:\""
                                        + subject
                                        + "\"")))
                        .path("total")
                        .asLong()
                    >= 4);

    HttpResponse<String> created =
        post("/postmortems", "{\"incidentId\": \"" + incident + "\", \"author\": \"dana\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode document = json(created).path("document");
    String id = json(created).path("id").asText();
    assertThat(document.path("title").asText()).startsWith("MTU mismatch on " + subject);
    JsonNode timeline = document.path("timeline");
    String texts = timeline.findValuesAsText("text").toString();
    assertThat(texts)
        .contains("chaos.experiment.step on " + subject + ": method shrink-mtu succeeded")
        .contains("health.changed on " + subject + ": MTU_MISMATCH HEALTH_WARN")
        .contains("probe.mtu.mismatch on " + subject)
        .contains("incident.opened");
    assertThat(timeline.get(0).path("addedBy").asText()).isEqualTo("evidence");
    assertThat(timeline.get(0).path("evidence")).hasSize(1);
    String firstTime = timeline.get(0).path("time").asText();

    com.fasterxml.jackson.databind.node.ArrayNode edited = timeline.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) edited.get(0))
        .put("text", "The game-day experiment lowered the MTU")
        .put("time", "2001-01-01T00:00:00Z");
    java.time.LocalTime shown = java.time.LocalTime.parse(firstTime.substring(11, 19));
    String far = shown.plusHours(3).toString().substring(0, 5);
    HttpResponse<String> annotated =
        revise(
            id,
            1,
            "{\"timeline\": "
                + edited
                + ", \"testimonies\": [{\"who\": \"Sam Ortiz\", \"role\": \"on-call\","
                + " \"given\": \"2026-01-02\", \"statement\": \"I restarted the switch at "
                + far
                + ".\","
                + " \"evidence\": [\"no-such-event\"]}],"
                + " \"findings\": [{\"text\": \"Sam Ortiz caused the outage by human error.\", \"evidence\": []}]}");
    assertThat(annotated.statusCode()).as(annotated.body()).isEqualTo(200);
    JsonNode entry = json(annotated).path("document").path("timeline").get(0);
    assertThat(entry.path("time").asText()).isEqualTo(firstTime);
    assertThat(entry.path("text").asText()).isEqualTo("The game-day experiment lowered the MTU");
    assertThat(entry.path("edits").get(0).path("by").asText()).isEqualTo("erin");
    assertThat(entry.path("edits").get(0).path("before").asText())
        .startsWith("chaos.experiment.step");

    JsonNode review = json(get("/postmortems/" + id + "/review"));
    assertThat(review.path("problems").findValuesAsText("rule"))
        .contains(
            "human-error",
            "named-cause",
            "no-evidence",
            "contradicts-evidence",
            "unknown-evidence");
  }

  @Test
  @DisplayName(
      "A restarted store rebuilds every postmortem and its history from the log, and restarted incident detection knows the incidents it had opened")
  void restartRebuildsFromTheLog() throws Exception {
    String id = "pm-it-restart-" + UUID.randomUUID();
    assertThat(
            post("/postmortems", "{\"id\": \"" + id + "\", \"document\": {\"title\": \"Before\"}}")
                .statusCode())
        .isEqualTo(201);
    assertThat(revise(id, 1, "{\"title\": \"After\"}").statusCode()).isEqualTo(200);
    String subject = "osd-rs-" + UUID.randomUUID() + "->osd-7";
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              publish(
                  CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
                      .source("/probes/mtu/osd-rs")
                      .subject(subject)
                      .build());
              return incidentOf(subject) != null;
            });
    String incident = incidentOf(subject).path("id").asText();
    assertThat(
            post("/incidents/" + incident + "/status", "{\"status\":\"mitigated\",\"by\":\"dana\"}")
                .statusCode())
        .isEqualTo(200);

    io.valentia.postmortem.store.PostmortemVerticle again =
        new io.valentia.postmortem.store.PostmortemVerticle(
            dir.resolve("restarted-postmortems"),
            KafkaTestSupport.settings(),
            publisher,
            null,
            i -> Future.succeededFuture(null),
            new StateTables(KafkaTestSupport.settings()),
            System.out::println);
    String deployment =
        vertx
            .deployVerticle(again)
            .toCompletionStage()
            .toCompletableFuture()
            .get(2, TimeUnit.MINUTES);
    try {
      var head = again.store().get(id).orElseThrow();
      assertThat(head.revision()).isEqualTo(2);
      assertThat(again.revisions().document(id, 1).orElseThrow().title()).isEqualTo("Before");
      assertThat(head.document().title()).isEqualTo("After");
      assertThat(
              again
                  .search()
                  .search(
                      io.valentia.postmortem.search.SearchRequest.of("postmortemid:\"" + id + "\""))
                  .total())
          .isEqualTo(1);
    } finally {
      vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    // a second process with the postmortem role: its own state tables, a fresh state directory
    StateTables tables = new StateTables(KafkaTestSupport.settings());
    Context second =
        new Context(
            vertx,
            KafkaTestSupport.settings(),
            publisher,
            dir.resolve("second"),
            EventCodec.MAPPER.createObjectNode(),
            Map.of(),
            context.health(),
            tables,
            new ApiRoutes(),
            System.out);
    io.valentia.postmortem.incidents.IncidentVerticle incidents =
        new io.valentia.postmortem.incidents.IncidentVerticle(
            second,
            io.valentia.postmortem.incidents.DetectionRules.DEFAULT,
            new io.valentia.postmortem.incidents.IncidentStreams.Settings(
                APPLICATION_ID, dir.resolve("second-streams"), Map.of()));
    String incidentDeployment =
        vertx
            .deployVerticle(incidents)
            .toCompletionStage()
            .toCompletableFuture()
            .get(3, TimeUnit.MINUTES);
    try {
      io.vertx.core.json.JsonObject known =
          incidents
              .describe(incident)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertThat(known).isNotNull();
      assertThat(known.getString("status")).isEqualTo("mitigated");
      assertThat(known.getJsonArray("subjects").getList()).contains(subject);
    } finally {
      vertx
          .undeploy(incidentDeployment)
          .toCompletionStage()
          .toCompletableFuture()
          .get(1, TimeUnit.MINUTES);
      tables.close();
    }
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

  /**
   * Runs a command of the command line against this test's server; returns exit code and output.
   */
  private static String[] cli(Object command, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine line = new picocli.CommandLine(command);
    line.setOut(new java.io.PrintWriter(out, true));
    line.setErr(new java.io.PrintWriter(out, true));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--url";
    all[args.length + 1] = "http://127.0.0.1:" + server.actualPort();
    int code = line.execute(all);
    return new String[] {Integer.toString(code), out.toString()};
  }

  @Test
  @DisplayName(
      "valentia incident list, show and resolve, and postmortem list, show and export --id work"
          + " against the API")
  void incidentAndPostmortemCommands() throws Exception {
    String subject = "osd-cli-" + UUID.randomUUID() + "->osd-8";
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              publish(
                  CloudEvent.of(new MtuMismatch("10.0.0.8:7", 1472, 1473, 1500, "out"))
                      .source("/probes/mtu/osd-cli")
                      .subject(subject)
                      .build());
              return incidentOf(subject) != null;
            });
    String id = incidentOf(subject).path("id").asText();
    var incidents = new io.valentia.postmortem.incidents.IncidentCommand();

    String[] list = cli(incidents, "list");
    assertThat(list[0]).as(list[1]).isEqualTo("0");
    assertThat(list[1]).contains(id).contains("open");
    String[] show = cli(new io.valentia.postmortem.incidents.IncidentCommand(), "show", id);
    assertThat(show[0]).as(show[1]).isEqualTo("0");
    assertThat(show[1]).contains("rule:      mtu-mismatch").contains(subject);
    String[] resolve = cli(new io.valentia.postmortem.incidents.IncidentCommand(), "resolve", id);
    assertThat(resolve[0]).as(resolve[1]).isEqualTo("0");
    assertThat(resolve[1]).contains(id + " is resolved");
    String[] missing =
        cli(new io.valentia.postmortem.incidents.IncidentCommand(), "show", "no-such-incident");
    assertThat(missing[0]).isEqualTo("1");
    assertThat(missing[1]).contains("404");

    String pm = "pm-cli-" + UUID.randomUUID();
    assertThat(
            post(
                    "/postmortems",
                    "{\"id\": \""
                        + pm
                        + "\", \"author\": \"dana\", \"document\": {\"title\": \"Jumbo frames"
                        + " lost\", \"summary\": \"Large packets were dropped.\"}}")
                .statusCode())
        .isEqualTo(201);
    String[] pms = cli(new io.valentia.postmortem.review.PostmortemCommand(), "list");
    assertThat(pms[0]).as(pms[1]).isEqualTo("0");
    assertThat(pms[1]).contains(pm).contains("Jumbo frames lost");
    String[] markdown = cli(new io.valentia.postmortem.review.PostmortemCommand(), "show", pm);
    assertThat(markdown[0]).as(markdown[1]).isEqualTo("0");
    assertThat(markdown[1]).contains("Jumbo frames lost").contains("Large packets were dropped.");
    String[] exported =
        cli(new io.valentia.postmortem.review.PostmortemCommand(), "export", "--id", pm);
    assertThat(exported[1]).isEqualTo(markdown[1]);
  }
}
