package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LeaseServiceIT {
  private static final long TERM_MS = 3000;
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static String base;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
    Router leases = Router.router(vertx);
    LeaseVerticle verticle = new LeaseVerticle(publisher, "test-host", leases, true);
    vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);
    Router root = Router.router(vertx);
    root.route("/api/v1/leases*").subRouter(leases); // as the web service mounts it
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(root)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort() + "/api/v1/leases";
  }

  @AfterAll
  static void stop() throws Exception {
    TABLES.forEach(StateTables::close);
    publisher.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "A lessee killed with kill -9 loses its lease with reason lessee-crash within one term")
  void killedLesseeCrashes() throws Exception {
    Process lessee = new ProcessBuilder("sleep", "300").start();
    String resource = "hmd-" + UUID.randomUUID();
    JsonNode lease = grant(resource, lessee.pid());

    new ProcessBuilder("kill", "-9", String.valueOf(lessee.pid())).start().waitFor();

    CloudEvent revoked = awaitEvent("io.valentia.lease.revoked.v1", lease.get("id").asText());
    assertThat(revoked.data().get("reason").asText()).isEqualTo("lessee-crash");
    assertThat(revoked.data().get("detail").asText()).contains("SIGKILL");
    assertThat(revoked.subject()).isEqualTo(resource);
    assertThat(revoked.time()).isBefore(java.time.Instant.parse(lease.get("expiresAt").asText()));
    assertThat(list()).noneMatch(l -> l.get("resource").asText().equals(resource));
  }

  @Test
  @DisplayName("A lessee that exits cleanly loses its lease with reason lessee-exit")
  void exitingLesseeExits() throws Exception {
    Process lessee = new ProcessBuilder("sh", "-c", "read line; exit 0").start();
    String resource = "hmd-" + UUID.randomUUID();
    JsonNode lease = grant(resource, lessee.pid());
    assertThat(list()).anyMatch(l -> l.get("resource").asText().equals(resource));

    lessee.getOutputStream().write("bye\n".getBytes());
    lessee.getOutputStream().close();

    CloudEvent revoked = awaitEvent("io.valentia.lease.revoked.v1", lease.get("id").asText());
    assertThat(revoked.data().get("reason").asText()).isEqualTo("lessee-exit");
    assertThat(revoked.data().get("detail").asText()).isEqualTo("exit status 0");
  }

  @Test
  @DisplayName(
      "Renewals keep a lease, a second lessee is refused while it is held, and it expires when"
          + " renewals stop")
  void renewAndExpire() throws Exception {
    String resource = "hmd-" + UUID.randomUUID();
    JsonNode lease = post(base, body(resource, null, 2000), 201);
    String id = lease.get("id").asText();
    for (int i = 0; i < 4; i++) {
      Thread.sleep(250); // the lessee's heartbeat period
      post(base + "/" + id + "/renew", "", 200);
    }
    JsonNode refused = post(base, body(resource, null, 2000), 409);
    assertThat(refused.get("holder").get("id").asText()).isEqualTo(id);

    CloudEvent expired = awaitEvent("io.valentia.lease.expired.v1", id);
    assertThat(expired.data().get("resource").asText()).isEqualTo(resource);
    post(base + "/" + id + "/renew", "", 404);
    assertThat(awaitEvent("io.valentia.lease.granted.v1", id).data().get("termMs").asLong())
        .isEqualTo(2000);
  }

  @Test
  @DisplayName(
      "The lessor revokes a lease with reason lessor-revoke; bad grants list every problem")
  void revokeAndBadRequests() throws Exception {
    String resource = "hmd-" + UUID.randomUUID();
    String id = post(base, body(resource, null, 60_000), 201).get("id").asText();
    HttpResponse<String> revoked =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/" + id)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(awaitEvent("io.valentia.lease.revoked.v1", id).data().get("reason").asText())
        .isEqualTo("lessor-revoke");

    JsonNode bad = post(base, "{\"resource\":\"\",\"lessee\":{\"pid\":-1},\"termMs\":5}", 400);
    assertThat(bad.get("problems")).hasSize(4);
    JsonNode noSuchPid = post(base, body("hmd-x-" + UUID.randomUUID(), 999_999_999L, 1000), 400);
    assertThat(noSuchPid.get("error").asText()).contains("999999999");
  }

  private JsonNode grant(String resource, long pid) throws Exception {
    return post(base, body(resource, pid, TERM_MS), 201);
  }

  @Test
  @DisplayName(
      "A restarted lessor reads back from the lease state the leases it had granted, with a fresh"
          + " term, and still watches their lessees")
  void restartedLessorRestoresLeases() throws Exception {
    String host = "restart-" + UUID.randomUUID();
    Process lessee = new ProcessBuilder("sleep", "300").start();
    String resource = "hmd-" + UUID.randomUUID();
    String first = deploy(host);
    String url = serve(first);
    JsonNode lease = post(url, body(resource, lessee.pid(), 60_000), 201);
    String id = lease.get("id").asText();
    awaitEvent("io.valentia.lease.granted.v1", id);
    vertx.undeploy(first).await(10, TimeUnit.SECONDS);

    String second = deploy(host);
    String again = serve(second);
    HttpResponse<String> restored =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(again + "/" + id)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
    assertThat(EventCodec.MAPPER.readTree(restored.body()).get("resource").asText())
        .isEqualTo(resource);
    post(again, body(resource, null, 1000), 409); // still held

    lessee.destroyForcibly();
    CloudEvent revoked = awaitEvent("io.valentia.lease.revoked.v1", id);
    assertThat(revoked.data().get("reason").asText()).isEqualTo("lessee-crash");
    try (StateTable<GrantedLease> state =
        StateTable.open(KafkaTestSupport.settings(), Topics.STATE_LEASES, GrantedLease.class)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(state.isRestored()).isTrue();
                assertThat(state.get(id)).isEmpty(); // the revoke removed it
              });
    }
    vertx.undeploy(second).await(10, TimeUnit.SECONDS);
  }

  private static final java.util.Map<String, Router> ROUTERS = new java.util.HashMap<>();
  private static final List<StateTables> TABLES = new java.util.ArrayList<>();

  /**
   * Deploys a lease service for {@code host} that keeps its leases in the lease state, with state
   * tables of its own (read from Kafka afresh, as after a restart).
   */
  private static String deploy(String host) throws Exception {
    Router router = Router.router(vertx);
    StateTables tables = new StateTables(KafkaTestSupport.settings());
    TABLES.add(tables);
    LeaseVerticle verticle = new LeaseVerticle(publisher, tables, line -> {}, host, router, true);
    String id = vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);
    ROUTERS.put(id, router);
    return id;
  }

  /** Serves a deployed lease service's API on a port of its own; returns its base URL. */
  private static String serve(String deployment) throws Exception {
    Router root = Router.router(vertx);
    root.route("/api/v1/leases*").subRouter(ROUTERS.get(deployment));
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(root)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + server.actualPort() + "/api/v1/leases";
  }

  private static String body(String resource, Long pid, long termMs) {
    return "{\"resource\":\""
        + resource
        + "\",\"lessee\":{\"name\":\"vr-app\""
        + (pid == null ? "" : ",\"pid\":" + pid)
        + "},\"termMs\":"
        + termMs
        + "}";
  }

  private static JsonNode post(String url, String body, int expectedStatus) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
    return EventCodec.MAPPER.readTree(response.body());
  }

  private static List<JsonNode> list() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
    List<JsonNode> leases = new java.util.ArrayList<>();
    EventCodec.MAPPER.readTree(response.body()).get("leases").forEach(leases::add);
    return leases;
  }

  private static CloudEvent awaitEvent(String type, String leaseId) {
    CloudEvent[] found = new CloudEvent[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (var record : KafkaTestSupport.readAll(Topics.EVENTS)) {
                CloudEvent event = EventCodec.instance().decode(record.value());
                if (event.type().equals(type)
                    && event.data() != null
                    && leaseId.equals(event.data().path("leaseId").asText())) {
                  found[0] = event;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }
}
