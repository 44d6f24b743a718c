package io.valentia.postmortem.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.SectionChange;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventIndex;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The postmortem store as a process runs it: heads from {@code valentia.state.postmortems}, history
 * on disk, the log read from the offsets of the last commit. Each "process" here is a verticle with
 * its own data directory and its own state tables.
 */
class PostmortemStoreIT {
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static HttpServer server;
  private static volatile Router current;

  private Path dir;
  private final List<Running> running = new ArrayList<>();
  private final List<String> console = new CopyOnWriteArrayList<>();

  /** One deployed store and the state tables of its "process". */
  private record Running(PostmortemVerticle verticle, String deployment, StateTables tables) {}

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "postmortem-store-it");
    server =
        vertx
            .createHttpServer()
            .requestHandler(request -> current.handle(request))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @BeforeEach
  void createDir() throws Exception {
    dir = Files.createTempDirectory("valentia-postmortem-store-it");
  }

  @AfterEach
  void stopAll() throws Exception {
    for (Running r : List.copyOf(running)) {
      stop(r);
    }
    KafkaTestSupport.deleteRecursively(dir);
  }

  private Running start(String dataDir) throws Exception {
    StateTables tables = new StateTables(KafkaTestSupport.settings());
    PostmortemVerticle verticle =
        new PostmortemVerticle(
            dir.resolve(dataDir).resolve("postmortems-index"),
            KafkaTestSupport.settings(),
            publisher,
            null,
            i -> Future.succeededFuture(null),
            tables,
            console::add);
    String deployment =
        vertx
            .deployVerticle(verticle)
            .toCompletionStage()
            .toCompletableFuture()
            .get(3, TimeUnit.MINUTES);
    Router root = Router.router(vertx);
    root.route("/api/v1" + PostmortemVerticle.PATH + "*").subRouter(verticle.router());
    current = root;
    Running r = new Running(verticle, deployment, tables);
    running.add(r);
    return r;
  }

  private void stop(Running r) throws Exception {
    if (running.remove(r)) {
      vertx
          .undeploy(r.deployment())
          .toCompletionStage()
          .toCompletableFuture()
          .get(1, TimeUnit.MINUTES);
      r.tables().close();
    }
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

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> answer = send("GET", path, "");
    assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
    return EventCodec.MAPPER.readTree(answer.body());
  }

  private static void create(String id, String summary) throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/postmortems",
            "{\"id\": \""
                + id
                + "\", \"author\": \"dana\", \"document\": {\"title\": \"T\", \"summary\": \""
                + summary
                + "\"}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  private static void revise(String id, int expected, String summary) throws Exception {
    HttpResponse<String> revised =
        send(
            "PUT",
            "/postmortems/" + id,
            "{\"expectedRevision\": "
                + expected
                + ", \"author\": \"erin\", \"sections\": {\"summary\": \""
                + summary
                + "\"}}");
    assertThat(revised.statusCode()).as(revised.body()).isEqualTo(200);
  }

  /** Records on the postmortems log past the offsets of {@code committed}. */
  private static long writtenSince(Map<TopicPartition, Long> committed) {
    try (TopicReader reader =
        TopicReader.open(KafkaTestSupport.settings(), "store-it", Topics.POSTMORTEMS)) {
      long total = 0;
      for (Map.Entry<Integer, Long> end : reader.endOffsets().entrySet()) {
        total +=
            end.getValue()
                - committed.getOrDefault(new TopicPartition(Topics.POSTMORTEMS, end.getKey()), 0L);
      }
      return total;
    }
  }

  private static long logSize() {
    return writtenSince(Map.of());
  }

  /** A revision event as a writer based on revision {@code n - 1} makes it. */
  private static CloudEvent revision(String id, int n, String summary) {
    List<SectionChange> changes = new ArrayList<>();
    if (n == 1) {
      changes.add(new SectionChange("title", EventCodec.MAPPER.getNodeFactory().textNode("T")));
    }
    changes.add(new SectionChange("summary", EventCodec.MAPPER.getNodeFactory().textNode(summary)));
    return CloudEvent.of(
            new PostmortemRevised(
                id, n, "author-" + n % 3, n == 1 ? "created" : "revised", "draft", changes, null))
        .source(PostmortemStore.SOURCE)
        .subject(id)
        .time(Instant.parse("2026-11-29T04:00:00Z").plusSeconds(n))
        .build();
  }

  private static void publishRaw(String id, int from, int to) {
    EventCodec codec = EventCodec.instance();
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      for (int n = from; n <= to; n++) {
        producer.send(
            new ProducerRecord<>(
                Topics.POSTMORTEMS,
                id.getBytes(StandardCharsets.UTF_8),
                codec.encode(revision(id, n, "summary " + n))));
      }
      producer.flush();
    }
  }

  @Test
  @DisplayName(
      "A restarted store restores its heads from the state topic and resumes the log from its"
          + " commit: it fetches no revision record it had applied, and serves the history from disk")
  void restartReadsNoRecordTwice() throws Exception {
    String id = "pm-restart-" + UUID.randomUUID();
    Running first = start("node");
    create(id, "one");
    revise(id, 1, "two");
    revise(id, 2, "three");
    assertThat(first.verticle().log().fetchedCount()).isGreaterThanOrEqualTo(3);
    stop(first);

    Map<TopicPartition, Long> committed;
    try (RevisionIndex index = RevisionIndex.open(dir.resolve("node/postmortem-revisions"))) {
      committed = index.committedOffsets();
    }
    assertThat(writtenSince(committed)).as("the clean stop committed every offset").isZero();

    Running second = start("node");
    assertThat(second.verticle().store().get(id).orElseThrow().revision())
        .as("the head, from valentia.state.postmortems")
        .isEqualTo(3);
    assertThat(second.verticle().log().fetchedCount())
        .as("records fetched by the restarted store")
        .isZero();
    JsonNode revisions = get("/postmortems/" + id + "/revisions").path("revisions");
    assertThat(revisions.findValuesAsText("author")).containsExactly("dana", "erin", "erin");
    assertThat(get("/postmortems/" + id + "/revisions/2").path("document").path("summary").asText())
        .isEqualTo("two");
    assertThat(get("/postmortems/" + id + "/compare?from=1&to=3").path("sections").toString())
        .contains("summary", "one", "three");

    revise(id, 3, "four");
    assertThat(second.verticle().log().fetchedCount())
        .as("only the new revision is fetched")
        .isEqualTo(1);
    assertThat(get("/postmortems/" + id).path("revision").asInt()).isEqualTo(4);
  }

  @Test
  @DisplayName(
      "Two revisions based on the same revision: the one first on the log is taken and the other"
          + " rejected, in the process that wrote them and in a process that rebuilds from the log")
  void logOrderDecidesConflicts() throws Exception {
    String id = "pm-conflict-" + UUID.randomUUID();
    Running writer = start("writer");
    create(id, "base");
    PostmortemStore store = writer.verticle().store();
    CloudEvent a =
        store
            .revise(
                id,
                1,
                EventCodec.MAPPER.readTree("{\"impact\": \"first on the log\"}"),
                "a",
                null,
                Instant.now())
            .orElseThrow();
    CloudEvent b =
        store
            .revise(
                id,
                1,
                EventCodec.MAPPER.readTree("{\"impact\": \"second on the log\"}"),
                "b",
                null,
                Instant.now())
            .orElseThrow();
    CompletableFuture<PostmortemHead> aApplied = store.whenApplied(a.id());
    CompletableFuture<PostmortemHead> bApplied = store.whenApplied(b.id());
    // b is published first, so b is first on the log
    publisher.publish(Topics.POSTMORTEMS, id, b).toCompletionStage().toCompletableFuture().get();
    publisher.publish(Topics.POSTMORTEMS, id, a).toCompletionStage().toCompletableFuture().get();

    assertThat(bApplied.get(30, TimeUnit.SECONDS).revision()).isEqualTo(2);
    try {
      aApplied.get(30, TimeUnit.SECONDS);
      throw new AssertionError("the second revision 2 was taken");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(RevisionConflictException.class);
    }
    assertThat(get("/postmortems/" + id).path("document").path("impact").asText())
        .isEqualTo("second on the log");
    assertThat(writer.verticle().log().rejectedCount()).isPositive();

    Running rebuilt = start("rebuilt");
    assertThat(rebuilt.verticle().revisions().head(id).orElseThrow().revision()).isEqualTo(2);
    assertThat(rebuilt.verticle().revisions().document(id, 2).orElseThrow().impact())
        .isEqualTo("second on the log");
    assertThat(rebuilt.verticle().revisions().entry(id, 2).orElseThrow().eventId())
        .isEqualTo(b.id());
    assertThat(rebuilt.verticle().log().rejectedCount()).isPositive();
    assertThat(rebuilt.verticle().store().get(id).orElseThrow().eventId()).isEqualTo(b.id());
  }

  @Test
  @DisplayName(
      "The history of a postmortem with 3,000 revisions is served from disk after a restart that"
          + " reads no record: every revision listed in order, any one read back, any two compared")
  void longHistoryFromDisk() throws Exception {
    int revisions = 3_000;
    String id = "pm-long-" + UUID.randomUUID();
    Running first = start("node");
    publishRaw(id, 1, revisions);
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                first.verticle().store().get(id).map(PostmortemHead::revision).orElse(0)
                    == revisions);
    stop(first);

    Running second = start("node");
    assertThat(second.verticle().log().fetchedCount()).isZero();
    JsonNode list = get("/postmortems/" + id + "/revisions").path("revisions");
    assertThat(list).hasSize(revisions);
    for (int i = 0; i < revisions; i++) {
      assertThat(list.get(i).path("revision").asInt()).isEqualTo(i + 1);
    }
    assertThat(list.get(1233).path("author").asText()).isEqualTo("author-" + 1234 % 3);
    assertThat(
            get("/postmortems/" + id + "/revisions/1234").path("document").path("summary").asText())
        .isEqualTo("summary 1234");
    JsonNode diff = get("/postmortems/" + id + "/compare?from=17&to=2999");
    assertThat(diff.path("sections").toString()).contains("summary 17", "summary 2999");
    assertThat(send("GET", "/postmortems/" + id + "/revisions/3001", "").statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName(
      "A data directory from the release that kept postmortems in memory is migrated once at its"
          + " first start: every revision on the log goes to disk and every head to the state"
          + " topic, and the next start does not read the log again")
  void migratesOnce() throws Exception {
    String id = "pm-migrated-" + UUID.randomUUID();
    publishRaw(id, 1, 5);
    // the previous release: heads only in the postmortems index, its offsets at the log's end
    Map<TopicPartition, Long> end = new HashMap<>();
    try (TopicReader reader =
        TopicReader.open(KafkaTestSupport.settings(), "store-it", Topics.POSTMORTEMS)) {
      reader.endOffsets().forEach((p, o) -> end.put(new TopicPartition(Topics.POSTMORTEMS, p), o));
    }
    try (EventIndex old =
        EventIndex.open(dir.resolve("old/postmortems-index"), new EventAnalyzer())) {
      old.commit(end);
    }
    try (StateTables tables = new StateTables(KafkaTestSupport.settings())) {
      StateMigration.await(
          tables
              .open(Topics.STATE_MIGRATIONS, StateMigration.Migrated.class)
              .remove(Topics.STATE_POSTMORTEMS),
          "forget the migration");
    }

    Running first = start("old");
    assertThat(console)
        .anyMatch(line -> line.startsWith("built " + Topics.STATE_POSTMORTEMS + " from"));
    assertThat(first.verticle().store().get(id).orElseThrow().revision()).isEqualTo(5);
    assertThat(first.verticle().revisions().document(id, 3).orElseThrow().summary())
        .isEqualTo("summary 3");
    assertThat(first.verticle().log().fetchedCount())
        .as("after the migration the reader starts where it ended")
        .isZero();
    assertThat(get("/postmortems/" + id + "/revisions").path("revisions")).hasSize(5);
    stop(first);

    console.clear();
    Running second = start("old");
    assertThat(console).noneMatch(line -> line.contains(Topics.STATE_POSTMORTEMS));
    assertThat(second.verticle().log().fetchedCount()).isZero();
    assertThat(second.verticle().store().get(id).orElseThrow().revision()).isEqualTo(5);
  }
}
