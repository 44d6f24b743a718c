package io.valentia.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.state.ChaosState;
import io.valentia.chaos.state.ControlState;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The schedules API on a real HTTP server, with a real HTTP client and the shared Kafka. */
class ScheduleApiIT {
  private static final String EXPERIMENT =
      """
      {"title": "Nightly pause", "method": [{"type": "action", "name": "pause",
        "provider": {"type": "valentia", "fault": "process-pause",
                     "arguments": {"pid": 4242, "duration": "5s"}}}]}
      """;

  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private Scheduler scheduler;
  private ChaosState state;
  private ScheduleTable table;
  private HttpServer server;
  private WebClient client;

  @BeforeEach
  void serve() throws Exception {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "schedule-api-test");
    Clock clock = Clock.fixed(Instant.parse("2026-11-29T01:00:00Z"), ZoneOffset.UTC);
    scheduler =
        new Scheduler(
            clock,
            s -> {
              throw new IllegalStateException("nothing fires in this test");
            },
            new Random(1));
    state = ChaosState.open(KafkaTestSupport.settings(), line -> {});
    table =
        new ScheduleTable(KafkaTestSupport.settings(), state.control(), TestSeal.SEAL)
            .follow(scheduler);
    Router root = Router.router(vertx);
    root.route("/api/v1/schedules*")
        .subRouter(
            new ScheduleApi(
                    scheduler,
                    new ExperimentLoader(FaultCatalog.standard()),
                    new ScheduleChanges(table, publisher, TestSeal.SEAL, "/chaos/api-test"),
                    clock)
                .router(vertx));
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
  void close() throws Exception {
    client.close();
    server.close().await(10, TimeUnit.SECONDS);
    table.close();
    state.close();
    publisher.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> send(String method, String path, String body) throws Exception {
    var request = client.request(io.vertx.core.http.HttpMethod.valueOf(method), path);
    return (body == null
            ? request.send()
            : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)))
        .await(30, TimeUnit.SECONDS);
  }

  private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
    return EventCodec.MAPPER.readTree(response.bodyAsString());
  }

  @Test
  @DisplayName(
      "A schedule posted to the API is kept in valentia.state.schedules (and audited on valentia.control), listed, read by id and removed; an unknown id is a 404")
  void addsListsReadsAndRemoves() throws Exception {
    String id = "nightly-" + UUID.randomUUID();
    HttpResponse<Buffer> created =
        send(
            "POST",
            "/api/v1/schedules",
            """
            {"id": "%s", "schedule": "0 3 * * *", "experiment": %s,
             "options": {"zone": "Europe/Dublin", "blackouts": ["12:00-13:00"]}}
            """
                .formatted(id, EXPERIMENT));

    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(json(created).path("nextRun").asText()).isEqualTo("2026-11-29T03:00:00Z");
    JsonNode list = json(send("GET", "/api/v1/schedules", null));
    assertThat(list.findValuesAsText("id")).contains(id);
    JsonNode one = json(send("GET", "/api/v1/schedules/" + id, null));
    assertThat(one.path("title").asText()).isEqualTo("Nightly pause");
    assertThat(one.path("options").path("zone").asText()).isEqualTo("Europe/Dublin");
    assertThat(controlRecords(id)).extracting(ExperimentScheduled::experiment).isNotEmpty();
    assertThat(state.control().get(ControlState.scheduleKey(id)))
        .as("the schedule's entry in the state table")
        .hasValueSatisfying(v -> assertThat(v.schedule().experiment()).isNotNull());

    HttpResponse<Buffer> removed = send("DELETE", "/api/v1/schedules/" + id, null);
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/schedules/" + id, null).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/api/v1/schedules/" + id, null).statusCode()).isEqualTo(404);
    assertThat(controlRecords(id)).last().matches(ExperimentScheduled::isRemoval);
    assertThat(state.control().get(ControlState.scheduleKey(id))).isEmpty();
  }

  @Test
  @DisplayName(
      "A bad schedule gets a 400 that lists every problem (schedule, options, experiment, unknown keys) and nothing is scheduled")
  void badInputListsEveryProblem() throws Exception {
    String id = "bad-" + UUID.randomUUID();
    HttpResponse<Buffer> answer =
        send(
            "POST",
            "/api/v1/schedules",
            """
            {"id": "%s", "schedule": "61 * * * *", "colour": "red",
             "options": {"zone": "Mars/Olympus", "concurrency": "sometimes"},
             "experiment": {"method": [{"type": "action", "name": "x",
                            "provider": {"type": "valentia", "fault": "no-such-fault"}}]}}
            """
                .formatted(id));

    assertThat(answer.statusCode()).isEqualTo(400);
    List<String> problems = new java.util.ArrayList<>();
    json(answer).path("problems").forEach(p -> problems.add(p.asText()));
    assertThat(String.join("\n", problems))
        .contains("colour", "schedule:", "options.zone", "options.concurrency", "no-such-fault");
    assertThat(problems).hasSizeGreaterThanOrEqualTo(5);
    assertThat(send("POST", "/api/v1/schedules", "{not json").statusCode()).isEqualTo(400);
    assertThat(scheduler.states()).noneMatch(st -> st.schedule().id().equals(id));
    assertThat(controlRecords(id)).isEmpty();
    assertThat(state.control().get(ControlState.scheduleKey(id))).isEmpty();
  }

  @Test
  @DisplayName(
      "A schedule lists its next five firings without those a blackout skips; paused over the API it has no next firing, in the scheduler and in valentia.state.schedules, until it is resumed")
  void pausesAndResumes() throws Exception {
    String id = "paused-" + UUID.randomUUID();
    HttpResponse<Buffer> created =
        send(
            "POST",
            "/api/v1/schedules",
            """
            {"id": "%s", "schedule": "every 1h", "experiment": %s,
             "options": {"blackouts": ["03:30-04:30"]}}
            """
                .formatted(id, EXPERIMENT));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonNode one = json(send("GET", "/api/v1/schedules/" + id, null));
    assertThat(one.path("paused").asBoolean()).isFalse();
    List<String> next = new java.util.ArrayList<>();
    one.path("nextRuns").forEach(n -> next.add(n.asText()));
    assertThat(next)
        .containsExactly(
            "2026-11-29T02:00:00Z",
            "2026-11-29T03:00:00Z",
            "2026-11-29T05:00:00Z",
            "2026-11-29T06:00:00Z",
            "2026-11-29T07:00:00Z");

    HttpResponse<Buffer> paused = send("POST", "/api/v1/schedules/" + id + "/pause", null);
    assertThat(paused.statusCode()).as(paused.bodyAsString()).isEqualTo(200);
    one = json(send("GET", "/api/v1/schedules/" + id, null));
    assertThat(one.path("paused").asBoolean()).isTrue();
    assertThat(one.path("nextRun").isNull()).isTrue();
    assertThat(one.path("nextRuns")).isEmpty();
    assertThat(one.path("options").path("blackouts").get(0).asText()).isEqualTo("03:30-04:30");
    assertThat(state.control().get(ControlState.scheduleKey(id)))
        .hasValueSatisfying(
            v -> assertThat(v.schedule().options().path("paused").asBoolean()).isTrue());

    HttpResponse<Buffer> resumed = send("POST", "/api/v1/schedules/" + id + "/resume", null);
    assertThat(resumed.statusCode()).as(resumed.bodyAsString()).isEqualTo(200);
    assertThat(json(resumed).path("nextRun").asText()).isEqualTo("2026-11-29T02:00:00Z");
    one = json(send("GET", "/api/v1/schedules/" + id, null));
    assertThat(one.path("paused").asBoolean()).isFalse();
    assertThat(one.path("nextRun").asText()).isEqualTo("2026-11-29T02:00:00Z");
    assertThat(send("POST", "/api/v1/schedules/nope-" + id + "/pause", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName(
      "`schedule add` and `schedule remove` with a token go through the platform's API, with no"
          + " Kafka address they could reach, and the schedule is there and then gone")
  void commandsGoThroughTheApi(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("nightly.json");
    java.nio.file.Files.writeString(file, EXPERIMENT);
    String id = "cli-api-" + UUID.randomUUID();
    String url = "http://127.0.0.1:" + server.actualPort();
    java.io.StringWriter out = new java.io.StringWriter();

    int added =
        command(out)
            .execute(
                "add",
                file.toString(),
                "--cron",
                "0 3 * * *",
                "--id",
                id,
                "--token",
                "t",
                "--url",
                url,
                "--kafka",
                "127.0.0.1:1",
                "--json");
    assertThat(added).as(out.toString()).isZero();
    assertThat(json(send("GET", "/api/v1/schedules/" + id, null)).path("title").asText())
        .isEqualTo("Nightly pause");

    int removed =
        command(out).execute("remove", id, "--token", "t", "--url", url, "--kafka", "127.0.0.1:1");
    assertThat(removed).as(out.toString()).isZero();
    assertThat(send("GET", "/api/v1/schedules/" + id, null).statusCode()).isEqualTo(404);
  }

  private static picocli.CommandLine command(java.io.StringWriter out) {
    picocli.CommandLine cli = new picocli.CommandLine(new io.valentia.chaos.cli.ScheduleCommand());
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(out, true));
    return cli;
  }

  private static List<ExperimentScheduled> controlRecords(String id) {
    List<ExperimentScheduled> out = new java.util.ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readAll(Topics.CONTROL)) {
      if (r.key() == null
          || !new String(r.key(), StandardCharsets.UTF_8).equals(ScheduleRecords.key(id))) {
        continue;
      }
      CloudEvent event = EventCodec.instance().decode(r.value());
      out.add(EventCodec.instance().payload(event, ExperimentScheduled.class));
    }
    return out;
  }
}
