package io.valentia.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.Sleepers;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Experiment runs over the API of the {@code chaos} role, started as the platform starts it and
 * served on a real HTTP server, with the shared Kafka.
 */
class ChaosServiceRunsIT {
  private final Sleepers sleepers = new Sleepers();
  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private StateTables stateTables;
  private HttpServer server;
  private WebClient client;
  private long pid;
  private Path dataDir;
  private final String inlineSecret = "inline-" + java.util.UUID.randomUUID();
  private final String envSecret = "env-" + java.util.UUID.randomUUID();

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    dataDir = dir;
    pid = sleepers.start();
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "chaos-runs-it");
    stateTables = new StateTables(KafkaTestSupport.settings());
    ApiRoutes api = new ApiRoutes();
    JsonNode config =
        EventCodec.MAPPER.readTree(
            """
            {"allow": {"pids": ["%d"], "executables": ["/bin/echo"]}, "steadyStateInterval": "300ms",
             "scheduleGroup": "chaos-runs-it-%s"}
            """
                .formatted(pid, java.util.UUID.randomUUID()));
    new ChaosService().start(context(config, api, dir)).await(60, TimeUnit.SECONDS);
    Router root = Router.router(vertx);
    api.mounted().forEach((path, router) -> root.route("/api/v1" + path + "*").subRouter(router));
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
    client.close();
    server.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
    publisher.close();
    stateTables.close();
    sleepers.close();
  }

  @Test
  @DisplayName(
      "A dry run over the API shows each step with its targets and when each fault starts and ends, names what the allow-list refuses, runs nothing, and reports a bad experiment with its line")
  void planShowsStepsAndRefusals() throws Exception {
    long stranger = sleepers.start();
    HttpResponse<Buffer> planned =
        send(
            HttpMethod.POST,
            "/api/v1/experiments/plan",
            """
            {"title": "plan two pauses", "method": [
              {"type": "action", "name": "pause-allowed", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "5s"}}},
              {"type": "action", "name": "pause-stranger", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "3s"}},
               "pauses": {"before": 1}}]}
            """
                .formatted(pid, stranger));
    assertThat(planned.statusCode()).as(planned.bodyAsString()).isEqualTo(200);
    JsonNode plan = EventCodec.MAPPER.readTree(planned.bodyAsString());
    assertThat(plan.path("title").asText()).isEqualTo("plan two pauses");
    assertThat(plan.path("steps").findValuesAsText("name"))
        .containsExactly("pause-allowed", "pause-stranger");
    assertThat(plan.path("steps").get(0).path("targets").get(0).asText()).isEqualTo("pid:" + pid);
    assertThat(plan.path("refused")).hasSize(1);
    assertThat(plan.path("refused").get(0).asText())
        .contains("pause-stranger", "pid:" + stranger, "not on the allow-list");
    JsonNode faults = plan.path("timeline").path("faults");
    assertThat(faults.get(1).path("start").asDouble()).isEqualTo(1.0);
    assertThat(faults.get(1).path("end").asDouble()).isEqualTo(4.0);
    assertThat(plan.path("timeline").path("methodEnd").asDouble()).isEqualTo(5.0);
    assertThat(Sleepers.state(pid)).isIn("S", "R");

    HttpResponse<Buffer> bad =
        send(HttpMethod.POST, "/api/v1/experiments/plan", "{\"title\": \"x\",\n \"method\": 3}");
    assertThat(bad.statusCode()).isEqualTo(422);
    JsonNode problems = EventCodec.MAPPER.readTree(bad.bodyAsString()).path("problems");
    assertThat(problems.findValuesAsText("location")).anyMatch(l -> l.startsWith("2:"));
  }

  @Test
  @DisplayName(
      "A run in progress is listed with its title and status, an abort over the API ends it aborted with its fault reverted, and a second abort or an unknown run is refused")
  void listAndAbort() throws Exception {
    HttpResponse<Buffer> posted =
        send(
            HttpMethod.POST,
            "/api/v1/experiments/runs",
            """
            {"title": "a long pause", "method": [
              {"type": "action", "name": "pause-long", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "5m"}}}]}
            """
                .formatted(pid));
    assertThat(posted.statusCode()).as(posted.bodyAsString()).isEqualTo(202);
    String runId = EventCodec.MAPPER.readTree(posted.bodyAsString()).path("runId").asText();
    await().atMost(Duration.ofSeconds(30)).until(() -> Sleepers.state(pid).equals("T"));
    JsonNode listed =
        EventCodec.MAPPER.readTree(
            send(HttpMethod.GET, "/api/v1/experiments/runs", null).bodyAsString());
    JsonNode run = null;
    for (JsonNode r : listed) {
      if (r.path("runId").asText().equals(runId)) {
        run = r;
      }
    }
    assertThat(run).as(listed.toString()).isNotNull();
    assertThat(run.path("status").asText()).isEqualTo("running");
    assertThat(run.path("title").asText()).isEqualTo("a long pause");

    HttpResponse<Buffer> aborted =
        send(
            HttpMethod.POST,
            "/api/v1/experiments/runs/" + runId + "/abort",
            "{\"reason\": \"enough\"}");
    assertThat(aborted.statusCode()).as(aborted.bodyAsString()).isEqualTo(202);
    JsonNode journal =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    EventCodec.MAPPER.readTree(
                        send(HttpMethod.GET, "/api/v1/experiments/runs/" + runId, null)
                            .bodyAsString()),
                j -> !j.path("status").asText().equals("running"));
    assertThat(journal.path("status").asText()).isEqualTo("aborted");
    assertThat(journal.path("reason").asText()).contains("enough");
    assertThat(Sleepers.state(pid)).isIn("S", "R");
    assertThat(
            send(HttpMethod.POST, "/api/v1/experiments/runs/" + runId + "/abort", null)
                .statusCode())
        .isEqualTo(409);
    assertThat(send(HttpMethod.POST, "/api/v1/experiments/runs/nope/abort", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName(
      "A run posted to the API whose fault the allow-list refuses ends failed, not completed, and its journal names the refused activity")
  void refusedFaultFailsTheRun() throws Exception {
    long stranger = sleepers.start();
    JsonNode journal =
        runToTheEnd(
            """
            {"title": "pause a stranger", "method": [
              {"type": "action", "name": "pause-a-stranger", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "2s"}}}]}
            """
                .formatted(stranger));

    assertThat(journal.path("status").asText()).isEqualTo("failed");
    assertThat(journal.path("deviated").asBoolean()).isFalse();
    assertThat(journal.path("reason").asText())
        .contains("pause-a-stranger", "pid:" + stranger + " is not on the allow-list");
    assertThat(journal.path("failed_activity").path("name").asText()).isEqualTo("pause-a-stranger");
    assertThat(Sleepers.state(stranger)).isIn("S", "R");
  }

  @Test
  @DisplayName(
      "A run posted to the API keeps its method until its fault's duration is over: the process stays stopped past the method's last activity and the run completes")
  void faultDurationIsHonoured() throws Exception {
    JsonNode journal =
        runToTheEnd(
            """
            {"title": "pause the sleeper", "method": [
              {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "2s"}}}]}
            """
                .formatted(pid));

    assertThat(journal.path("status").asText()).isEqualTo("completed");
    JsonNode run = journal.path("run");
    assertThat(run.findValuesAsText("name")).containsExactly("pause-sleeper", "wait-for-faults");
    assertThat(java.time.Instant.parse(run.get(1).path("end").asText()))
        .isAfter(java.time.Instant.parse(run.get(0).path("output").path("until").asText()));
    assertThat(Sleepers.state(pid)).isIn("S", "R");
  }

  @Test
  @DisplayName(
      "An experiment whose process is not on chaos.allow.executables is refused by validation and by a run with 422 naming the list to change, nothing runs, and both refusals are audited")
  void refusedProcessOverTheApi() throws Exception {
    String title = "a shell " + java.util.UUID.randomUUID();
    Path mark = Runs.openToAll(dataDir).resolve("pwned");
    String experiment =
        """
        {"title": "%s", "method": [
          {"type": "action", "name": "shell", "provider": {"type": "process", "path": "/bin/sh",
            "arguments": ["-c", "touch %s"]}}]}
        """
            .formatted(title, mark);

    for (String path : List.of("/api/v1/experiments/validate", "/api/v1/experiments/runs")) {
      HttpResponse<Buffer> answer = send(HttpMethod.POST, path, experiment);
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(422);
      JsonNode body = EventCodec.MAPPER.readTree(answer.bodyAsString());
      assertThat(body.path("valid").asBoolean()).isFalse();
      assertThat(body.path("problems").get(0).path("path").asText())
          .isEqualTo("method[0].provider.path");
      assertThat(body.path("problems").get(0).path("message").asText())
          .contains("/bin/sh is not on the allow-list of executables (chaos.allow.executables)");
    }
    assertThat(java.nio.file.Files.exists(mark)).as("nothing ran").isFalse();
    List<Audit> audits =
        await().atMost(Duration.ofSeconds(30)).until(() -> audits(title), list -> list.size() == 2);
    assertThat(audits)
        .extracting(Audit::action)
        .containsExactlyInAnyOrder("experiment.validate", "experiment.run");
    assertThat(audits)
        .allSatisfy(
            a -> {
              assertThat(a.outcome()).isEqualTo("denied");
              assertThat(a.actor()).isEqualTo("anonymous");
              assertThat(a.details().path("refused").get(0).asText())
                  .contains("chaos.allow.executables");
            });
  }

  @Test
  @DisplayName(
      "Secrets never show: the run's API answer, its journal on disk (0600) and its events hide inline and environment secrets, also where an activity printed them")
  void secretsAreRedacted() throws Exception {
    String experiment =
        """
        {"title": "secrets", "secrets": {"vault": {"token": "%s", "other": {"type": "env", "key": "CHAOS_IT_TOKEN"}}},
         "method": [
          {"type": "action", "name": "say-it", "secrets": ["vault"],
           "provider": {"type": "process", "path": "/bin/echo", "arguments": ["${token}", "${other}"]}}]}
        """
            .formatted(inlineSecret);

    JsonNode journal = runToTheEnd(experiment);

    assertThat(journal.path("status").asText()).as(journal.toString()).isEqualTo("completed");
    String runId = journal.path("run_id").asText();
    String shown = journal.toString();
    assertThat(shown).doesNotContain(inlineSecret, envSecret).contains("[redacted]");
    assertThat(
            journal
                .path("experiment")
                .path("secrets")
                .path("vault")
                .path("other")
                .path("key")
                .asText())
        .as("a reference to the environment is kept")
        .isEqualTo("CHAOS_IT_TOKEN");
    assertThat(journal.path("run").get(0).path("output").path("stdout").asText().strip())
        .isEqualTo("[redacted] [redacted]");

    Path file = dataDir.resolve("journals").resolve(runId + ".json");
    await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(file));
    assertThat(java.nio.file.Files.readString(file)).doesNotContain(inlineSecret, envSecret);
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");

    List<io.valentia.eventbus.CloudEvent> events =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> Runs.eventsOf(runId),
                list ->
                    list.stream()
                        .anyMatch(
                            e ->
                                e.type()
                                    .equals(
                                        io.valentia.eventbus.EventType.CHAOS_EXPERIMENT_COMPLETED
                                            .type())));
    assertThat(events)
        .allSatisfy(e -> assertThat(e.data().toString()).doesNotContain(inlineSecret, envSecret));
  }

  @Test
  @DisplayName(
      "A halt whose body is not JSON still halts (it fails safe) and says so in its answer, with no reason; a release needs a JSON body")
  void haltWithAnUnreadableBody() throws Exception {
    try {
      HttpResponse<Buffer> answer = send(HttpMethod.POST, "/api/v1/halt", "{stop everything");

      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
      JsonNode body = EventCodec.MAPPER.readTree(answer.bodyAsString());
      assertThat(body.path("halted").asBoolean()).isTrue();
      assertThat(body.path("warning").asText())
          .contains("not JSON", "halted anyway, with no reason");
      JsonNode state =
          EventCodec.MAPPER.readTree(send(HttpMethod.GET, "/api/v1/halt", null).bodyAsString());
      assertThat(state.path("halted").asBoolean()).isTrue();
    } finally {
      HttpResponse<Buffer> released =
          send(HttpMethod.POST, "/api/v1/halt", "{\"release\": true, \"reason\": \"test over\"}");
      assertThat(released.statusCode()).as(released.bodyAsString()).isEqualTo(200);
      assertThat(EventCodec.MAPPER.readTree(released.bodyAsString()).path("halted").asBoolean())
          .isFalse();
    }
  }

  /** The audit events on valentia.events about the experiment titled {@code title}. */
  private static List<Audit> audits(String title) {
    return KafkaTestSupport.readAll(io.valentia.eventbus.Topics.EVENTS).stream()
        .map(
            r -> {
              try {
                return EventCodec.instance().decode(r.value());
              } catch (io.valentia.eventbus.InvalidEventException e) {
                return null;
              }
            })
        .filter(e -> e != null && e.type().equals(io.valentia.eventbus.EventType.AUDIT.type()))
        .map(e -> EventCodec.instance().payload(e, Audit.class))
        .filter(a -> title.equals(a.target()))
        .toList();
  }

  /** Posts {@code experiment}, then reads its journal until the run has ended. */
  private JsonNode runToTheEnd(String experiment) throws Exception {
    HttpResponse<Buffer> posted = send(HttpMethod.POST, "/api/v1/experiments/runs", experiment);
    assertThat(posted.statusCode()).as(posted.bodyAsString()).isEqualTo(202);
    String runId = EventCodec.MAPPER.readTree(posted.bodyAsString()).path("runId").asText();
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                EventCodec.MAPPER.readTree(
                    send(HttpMethod.GET, "/api/v1/experiments/runs/" + runId, null).bodyAsString()),
            j -> !j.path("status").asText().equals("running"));
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String body) throws Exception {
    var request = client.request(method, path);
    return (body == null
            ? request.send()
            : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)))
        .await(30, TimeUnit.SECONDS);
  }

  private ServiceContext context(JsonNode config, ApiRoutes api, Path dir) {
    HealthRegistry health =
        new HealthRegistry() {
          @Override
          public void service(String name, ServiceStatus status) {}

          @Override
          public void raise(String name, HealthCheck check) {}

          @Override
          public void clear(String name) {}

          @Override
          public Future<HealthReport> report() {
            return Future.succeededFuture(HealthReport.of(Map.of(), Map.of(), null));
          }
        };
    return new ServiceContext() {
      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public KafkaSettings kafka() {
        return KafkaTestSupport.settings();
      }

      @Override
      public KafkaEventPublisher publisher() {
        return publisher;
      }

      @Override
      public StateTables stateTables() {
        return stateTables;
      }

      @Override
      public Path dataDir() {
        return dir;
      }

      @Override
      public JsonNode config() {
        return config;
      }

      @Override
      public Map<String, String> environment() {
        return Map.of("CHAOS_IT_TOKEN", envSecret);
      }

      @Override
      public HealthRegistry health() {
        return health;
      }

      @Override
      public ApiRoutes api() {
        return api;
      }

      @Override
      public PrintStream console() {
        return System.out;
      }
    };
  }
}
