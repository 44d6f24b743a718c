package io.valentia.app;

import static io.valentia.app.ApiCalls.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.app.ApiCalls.Answer;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.gateway.ApiGateway;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform spread over processes against one Kafka (the module's test broker): the web role
 * (with notifications) as the one entry point, chaos, probes, and two postmortem replicas, each in
 * a JVM of its own serving its API on its own port. Every call goes to the web process, which
 * forwards it. The last tests kill processes: a postmortem replica (search keeps answering, the
 * restarted one catches up) and then chaos (503 naming the role, {@code SERVICE_UNREACHABLE}).
 */
@DisplayName("Web, postmortem (two replicas), chaos and probes in separate processes")
@TestMethodOrder(OrderAnnotation.class)
class MultiProcessIT {
  private static final String ADMIN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static String bootstrap;
  private static Path config;
  private static Process sleeper;
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static final List<ChildPlatform> children = new ArrayList<>();
  private static ChildPlatform web;
  private static ChildPlatform chaos;
  private static ChildPlatform pmB;
  private static int pmAPort;
  private static int pmBPort;
  private static int chaosPort;
  private static String detection;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = KafkaTestSupport.bootstrapServers();
    sleeper = new ProcessBuilder("sleep", "900").start();
    chaosPort = freePort();
    int probesPort = freePort();
    pmAPort = freePort();
    pmBPort = freePort();
    String run = UUID.randomUUID().toString().substring(0, 8);
    detection = "multi-process-it-incidents-" + run;
    config = dir.resolve("valentia.yaml");
    Files.writeString(
        config,
        """
        chaos:
          allow:
            pids: ["%d"]
          steadyStateInterval: 0s
          scheduleGroup: multi-process-it-schedules-%s
        postmortem:
          incidents:
            applicationId: %s
        http:
          upstreams:
            chaos: http://127.0.0.1:%d
            probes: http://127.0.0.1:%d
            postmortem: [http://127.0.0.1:%d, http://127.0.0.1:%d]
        """
            .formatted(sleeper.pid(), run, detection, chaosPort, probesPort, pmAPort, pmBPort));
    // the roles start together, the web role last (it finds them already answering)
    CompletableFuture<ChildPlatform> chaosUp = role("chaos", chaosPort, "--role", "chaos");
    CompletableFuture<ChildPlatform> probesUp = role("probes", probesPort, "--role", "probes");
    CompletableFuture<ChildPlatform> pmAUp =
        role("pm-a", pmAPort, "--role", "postmortem", "--replica", "pm-a");
    CompletableFuture<ChildPlatform> pmBUp = pmB();
    chaos = chaosUp.join();
    probesUp.join();
    pmAUp.join();
    pmB = pmBUp.join();
    web = role("web", 0, "--role", "web", "--role", "notifications").join();
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "multi-process-it");
  }

  @AfterAll
  static void stop() throws Exception {
    for (ChildPlatform child : children) {
      child.stop();
    }
    if (publisher != null) {
      publisher.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (sleeper != null) {
      new ProcessBuilder("kill", "-CONT", Long.toString(sleeper.pid())).start().waitFor();
      sleeper.destroyForcibly().waitFor();
    }
  }

  @Test
  @Order(1)
  @DisplayName(
      "Halt, experiments, schedules, leases, search, incidents and postmortems answer through the"
          + " web process as in one process, with a token made there")
  void apiThroughTheGateway() throws Exception {
    String base = web.base();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String operator = ApiCalls.token(base, ADMIN, "mp-operator-" + run, "operator");

    JsonNode halt = ok(api(base, operator, "GET", "/api/v1/halt", null));
    assertThat(halt.path("halted").asBoolean()).as(halt.toString()).isFalse();
    JsonNode halted =
        ok(
            api(
                base,
                operator,
                "POST",
                "/api/v1/halt",
                "{\"reason\":\"multi-process " + run + "\"}"));
    assertThat(halted.has("revertedFaults")).as(halted.toString()).isTrue();
    assertThat(ok(api(base, operator, "GET", "/api/v1/halt", null)).path("halted").asBoolean())
        .isTrue();
    ok(api(base, operator, "POST", "/api/v1/halt", "{\"release\":true}"));
    assertThat(ok(api(base, operator, "GET", "/api/v1/halt", null)).path("halted").asBoolean())
        .isFalse();

    Answer experiment =
        api(
            base,
            operator,
            "POST",
            "/api/v1/experiments/runs",
            """
            {"title": "count nothing %s", "method": [{"type": "probe", "name": "nothing",
              "provider": {"type": "valentia", "probe": "event-count",
                "arguments": {"type": "com.example.none.v1", "window": "1s"}}}]}
            """
                .formatted(run));
    assertThat(experiment.status()).as(experiment.body().toString()).isEqualTo(202);
    String runId = experiment.body().path("runId").asText();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                api(base, operator, "GET", "/api/v1/experiments/runs/" + runId, null)
                    .body()
                    .path("status")
                    .asText(),
            status -> !status.isEmpty() && !status.equals("running"));

    Answer scheduled =
        api(
            base,
            operator,
            "POST",
            "/api/v1/schedules",
            """
            {"id": "mp-%s", "schedule": "every 1h",
             "experiment": {"title": "hourly %s", "method": [{"type": "probe", "name": "nothing",
               "provider": {"type": "valentia", "probe": "event-count",
                 "arguments": {"type": "com.example.none.v1", "window": "1s"}}}]}}
            """
                .formatted(run, run));
    assertThat(scheduled.status()).as(scheduled.body().toString()).isEqualTo(201);
    ok(api(base, operator, "GET", "/api/v1/schedules/mp-" + run, null));
    assertThat(api(base, operator, "DELETE", "/api/v1/schedules/mp-" + run, null).status())
        .isLessThan(300);

    Answer granted =
        api(
            base,
            operator,
            "POST",
            "/api/v1/leases",
            "{\"resource\":\"hmd-mp-%s\",\"lessee\":{\"name\":\"vr-mp\"},\"termMs\":60000}"
                .formatted(run));
    assertThat(granted.status()).as(granted.body().toString()).isEqualTo(201);
    assertThat(ok(api(base, operator, "GET", "/api/v1/leases", null)).toString())
        .contains("hmd-mp-" + run);

    String word = "okapi" + run;
    for (int i = 0; i < 5; i++) {
      publish(word, i);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> total(base, word) == 5);
    ok(api(base, operator, "GET", "/api/v1/incidents", null));
    Answer postmortems = api(base, operator, "GET", "/api/v1/postmortems", null);
    assertThat(postmortems.status()).as(postmortems.body().toString()).isEqualTo(200);

    // the web process's own routes answer beside the forwarded ones
    assertThat(api(base, operator, "GET", "/api/v1/whoami", null).body().path("name").asText())
        .isEqualTo("mp-operator-" + run);
  }

  @Test
  @Order(2)
  @DisplayName(
      "A role's own port refuses a request without a token, or with an unknown one, and answers"
          + " one with a token made at the web process")
  void rolePortChecksTokens() throws Exception {
    String chaosBase = "http://127.0.0.1:" + chaosPort;
    HttpResponse<String> anonymous =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(chaosBase + "/api/v1/halt"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
    assertThat(api(chaosBase, "vt_not-a-token", "GET", "/api/v1/halt", null).status())
        .isEqualTo(401);
    String viewer = ApiCalls.token(web.base(), ADMIN, "mp-viewer-" + UUID.randomUUID(), "viewer");
    assertThat(api(chaosBase, viewer, "GET", "/api/v1/halt", null).status()).isEqualTo(200);
    assertThat(api(chaosBase, viewer, "POST", "/api/v1/halt", "{}").status()).isEqualTo(403);
    assertThat(ok(api(chaosBase, viewer, "GET", "/api/v1/halt", null)).path("halted").asBoolean())
        .isFalse();
  }

  @Test
  @Order(3)
  @DisplayName(
      "The dashboard's Halt all chaos and the search page work in the browser through the"
          + " gateway as in one process")
  void dashboardThroughTheGateway() throws Exception {
    DashboardPageIT.haltAndSearch(web.base(), ADMIN, publisher, sleeper, dir);
  }

  @Test
  @Order(3)
  @DisplayName(
      "A postmortem is written in the browser through the gateway as in one process: created for"
          + " an incident the replicas opened, edited by two people, reviewed and exported")
  void postmortemThroughTheGateway() throws Exception {
    PostmortemAuthoringPageIT.writeInThePage(web.base(), dir);
  }

  @Test
  @Order(4)
  @DisplayName(
      "Incident detection shares the partitions between two postmortem replicas; with one of them"
          + " killed, search through the gateway keeps answering"
          + " (at most the requests in flight fail), and the restarted replica catches up on what"
          + " was published meanwhile")
  void searchSurvivesAReplica() throws Exception {
    String base = web.base();
    // incident detection: one Streams application over both replicas, the partitions split
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                ConsumerGroupDescription group =
                    admin
                        .describeConsumerGroups(List.of(detection))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .get(detection);
                assertThat(group.members()).as(group.toString()).hasSize(2);
                assertThat(group.members())
                    .as(group.toString())
                    .allSatisfy(m -> assertThat(m.assignment().topicPartitions()).isNotEmpty());
              });
    }
    String before = "tapir" + UUID.randomUUID().toString().substring(0, 8);
    publish(before, 0);
    // each replica indexes at its own pace: both have it before the searches start
    for (int port : List.of(pmAPort, pmBPort)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> total("http://127.0.0.1:" + port, before) == 1);
    }

    AtomicBoolean searching = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    List<String> failed = new ArrayList<>();
    CompletableFuture<Void> searcher =
        CompletableFuture.runAsync(
            () -> {
              while (searching.get()) {
                try {
                  Answer answer = search(base, before);
                  if (answer.status() == 200 && answer.body().path("total").asLong() == 1) {
                    answered.incrementAndGet();
                  } else {
                    synchronized (failed) {
                      failed.add(answer.status() + " " + answer.body());
                    }
                  }
                } catch (Exception e) {
                  synchronized (failed) {
                    failed.add(e.toString());
                  }
                }
              }
            });
    await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() >= 5);
    pmB.kill();
    children.remove(pmB);
    int atKill = answered.get();
    String meanwhile = "quokka" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 3; i++) {
      publish(meanwhile, i);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= atKill + 20);
    await().atMost(Duration.ofSeconds(60)).until(() -> total(base, meanwhile) == 3);
    searching.set(false);
    searcher.get(60, TimeUnit.SECONDS);
    // one searcher: the request in flight at the kill, and one on a kept-alive connection the kill
    // cut before the gateway's next health check
    synchronized (failed) {
      assertThat(failed).as("failed searches").hasSizeLessThanOrEqualTo(2);
    }

    pmB = pmB().join();
    String pmBBase = "http://127.0.0.1:" + pmBPort;
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> search(pmBBase, meanwhile).body().path("total").asLong() == 3);
    assertThat(search(pmBBase, before).body().path("total").asLong()).isEqualTo(1);
  }

  @Test
  @Order(5)
  @DisplayName(
      "With the chaos process killed, POST /api/v1/halt answers 503 naming the chaos role and"
          + " /health shows SERVICE_UNREACHABLE naming it")
  void chaosKilled() throws Exception {
    chaos.kill();
    children.remove(chaos);
    Answer halt = api(web.base(), ADMIN, "POST", "/api/v1/halt", "{\"reason\":\"gone\"}");
    assertThat(halt.status()).as(halt.body().toString()).isEqualTo(503);
    assertThat(halt.body().path("error").asText()).isEqualTo("the chaos role is not reachable");
    assertThat(halt.body().path("role").asText()).isEqualTo("chaos");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode health =
                  EventCodec.MAPPER.readTree(
                      HTTP.send(
                              HttpRequest.newBuilder(URI.create(web.base() + "/health")).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .body());
              JsonNode check = health.path("checks").path(ApiGateway.CHECK);
              assertThat(check.path("summary").asText())
                  .as(health.toString())
                  .isEqualTo("the chaos role is not reachable");
            });
    // the other roles still answer
    assertThat(api(web.base(), ADMIN, "GET", "/api/v1/leases", null).status()).isEqualTo(200);
  }

  private static CompletableFuture<ChildPlatform> pmB() {
    return role("pm-b", pmBPort, "--role", "postmortem", "--replica", "pm-b");
  }

  /** Starts {@code valentia up} for one role on the test broker, its data in {@code dir/NAME}. */
  private static CompletableFuture<ChildPlatform> role(String name, int port, String... roles) {
    return CompletableFuture.supplyAsync(
        () -> {
          List<String> arguments =
              new ArrayList<>(
                  List.of(
                      "--kafka",
                      bootstrap,
                      "--data",
                      dir.resolve(name).toString(),
                      "--http-host",
                      "127.0.0.1",
                      "--http-port",
                      Integer.toString(port),
                      "--config",
                      config.toString()));
          arguments.addAll(List.of(roles));
          try {
            ChildPlatform child = ChildPlatform.start(dir.resolve(name + ".log"), ADMIN, arguments);
            synchronized (children) {
              children.add(child);
            }
            return child;
          } catch (Exception e) {
            throw new IllegalStateException(name + " did not start", e);
          }
        });
  }

  private static JsonNode ok(Answer answer) {
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    return answer.body();
  }

  private static void publish(String word, int n) throws Exception {
    publisher
        .publish(
            CloudEvent.builder("com.example.multi.process.v1")
                .source("/test/multi-process")
                .subject("mp-" + n)
                .data(EventCodec.MAPPER.readTree("{\"note\":\"" + word + " " + n + "\"}"))
                .build())
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static Answer search(String base, String word) throws Exception {
    return api(
        base,
        ADMIN,
        "GET",
        "/api/v1/events/search?facet=none&size=1&q="
            + URLEncoder.encode(word, StandardCharsets.UTF_8),
        null);
  }

  private static long total(String base, String word) throws Exception {
    return search(base, word).body().path("total").asLong();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
