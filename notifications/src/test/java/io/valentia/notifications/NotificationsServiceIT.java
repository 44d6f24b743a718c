package io.valentia.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentResolved;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.testing.TestServiceContext;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The notifications role on the shared Kafka, with real HTTP receivers: events in, Alertmanager
 * webhooks out; routing with continue, silences through the API and through Slack's signed slash
 * command, inhibition, resolutions, the Alertmanager webhook in, and a restart that neither loses
 * nor repeats.
 */
@DisplayName("The notifications role, end to end")
class NotificationsServiceIT {
  private static final String SIGNING_SECRET = "it-signing-secret";
  private static final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Vertx receivers;
  private static HttpServer receiverServer;
  private static Path dir;
  private static Platform platform;

  /** One running notifications service with its API on a port of its own. */
  record Platform(Vertx vertx, TestServiceContext context, HttpServer api) {
    int port() {
      return api.actualPort();
    }

    void stop() throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      context.close();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("valentia-notifications-it");
    receivers = Vertx.vertx();
    Router hooks = Router.router(receivers);
    hooks
        .post("/:name")
        .handler(io.vertx.ext.web.handler.BodyHandler.create())
        .handler(
            ctx -> {
              try {
                received
                    .computeIfAbsent(ctx.pathParam("name"), k -> new CopyOnWriteArrayList<>())
                    .add(EventCodec.MAPPER.readTree(ctx.body().asString()));
              } catch (Exception e) {
                ctx.response().setStatusCode(400).end();
                return;
              }
              ctx.response().setStatusCode(200).end("ok");
            });
    receiverServer =
        receivers
            .createHttpServer()
            .requestHandler(hooks)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    platform = startPlatform();
  }

  @AfterAll
  static void stop() throws Exception {
    if (platform != null) {
      platform.stop();
    }
    if (receivers != null) {
      receivers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static Platform startPlatform() throws Exception {
    String hook = "http://127.0.0.1:" + receiverServer.actualPort() + "/";
    JsonNode config =
        new YAMLMapper()
            .readTree(
                String.join(
                    "\n",
                    "external_url: https://valentia.example",
                    "route:",
                    "  receiver: team",
                    "  group_by: [incident, check]",
                    "  group_wait: 1s",
                    "  group_interval: 2s",
                    "  repeat_interval: 1h",
                    "  routes:",
                    "    - matchers: ['severity=\"critical\"']",
                    "      receiver: pager",
                    "      continue: true",
                    "    - receiver: team",
                    "inhibit_rules:",
                    "  - source_matchers: ['severity=\"critical\"']",
                    "    target_matchers: ['severity=\"warning\"']",
                    "    equal: [host]",
                    "receivers:",
                    "  - name: team",
                    "    webhook_configs: [{url: '" + hook + "team'}]",
                    "  - name: pager",
                    "    webhook_configs: [{url: '" + hook + "pager'}]",
                    "delivery:",
                    "  initial_backoff: 100ms",
                    "slack:",
                    "  signing_secret: " + SIGNING_SECRET,
                    "  users: {U0RESPONDER: responder}"));
    Vertx vertx = Vertx.vertx();
    TestServiceContext context =
        TestServiceContext.create(vertx, "notifications-it", dir.resolve("notifications"), config);
    new NotificationsService()
        .start(context)
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    Router root = Router.router(vertx);
    context.api().signed().forEach((p, sub) -> root.route("/api/v1" + p + "*").subRouter(sub));
    root.route("/api/v1/*")
        .handler(
            ctx -> {
              // the web role's authentication, reduced to what these tests need
              String role = ctx.request().getHeader("X-Test-Role");
              if (role != null) {
                ctx.put(ApiRoutes.PRINCIPAL_NAME, "it-" + role);
                ctx.put(ApiRoutes.PRINCIPAL_ROLE, role);
              }
              ctx.next();
            });
    context.api().mounted().forEach((p, sub) -> root.route("/api/v1" + p + "*").subRouter(sub));
    HttpServer api =
        vertx
            .createHttpServer()
            .requestHandler(root)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return new Platform(vertx, context, api);
  }

  private static void publish(CloudEvent event) throws Exception {
    platform
        .context()
        .publisher()
        .publish(Topics.EVENTS, Topics.keyOf(event), event)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static List<JsonNode> to(String receiver, String incident) {
    return received.getOrDefault(receiver, List.of()).stream()
        .filter(n -> n.path("groupLabels").path("incident").asText().equals(incident))
        .toList();
  }

  private static HttpResponse<String> call(String method, String path, String role, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.port() + "/api/v1" + path))
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (role != null) {
      request.header("X-Test-Role", role);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static CloudEvent opened(String incident, String sev, Instant at) {
    return CloudEvent.of(new IncidentOpened("Frame drops on hmd-1", sev, "frame-drops", List.of()))
        .source("/postmortem/incidents")
        .subject("hmd-1")
        .incidentId(incident)
        .time(at)
        .build();
  }

  @Test
  @DisplayName(
      "An incident opened reaches its receiver as Alertmanager's webhook after group_wait, a"
          + " critical one also the pager (continue), and its resolution follows once")
  void incidentToWebhook() throws Exception {
    String incident = "inc-" + UUID.randomUUID();
    publish(opened(incident, "SEV2", Instant.now()));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(to("team", incident)).hasSize(1);
              assertThat(to("pager", incident)).hasSize(1);
            });
    JsonNode message = to("team", incident).get(0);
    assertThat(message.path("version").asText()).isEqualTo("4");
    assertThat(message.path("status").asText()).isEqualTo("firing");
    assertThat(message.path("receiver").asText()).isEqualTo("team");
    assertThat(message.path("externalURL").asText()).isEqualTo("https://valentia.example");
    JsonNode alert = message.path("alerts").get(0);
    assertThat(alert.path("labels").path("incident").asText()).isEqualTo(incident);
    assertThat(alert.path("labels").path("severity").asText()).isEqualTo("critical");
    assertThat(alert.path("fingerprint").asText()).matches("[0-9a-f]{16}");
    assertThat(alert.path("generatorURL").asText())
        .isEqualTo("https://valentia.example/incidents.html?id=" + incident);

    publish(
        CloudEvent.of(new IncidentResolved("fixed", "alice", 5))
            .source("/postmortem/incidents")
            .incidentId(incident)
            .time(Instant.now())
            .build());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(to("team", incident)).hasSize(2));
    JsonNode resolution = to("team", incident).get(1);
    assertThat(resolution.path("status").asText()).isEqualTo("resolved");
    assertThat(resolution.path("alerts").get(0).path("endsAt").asText()).doesNotStartWith("0001");
  }

  @Test
  @DisplayName(
      "A silence made through the API keeps a matching incident from every receiver, and"
          + " expiring it through the API lets the next one through; a viewer may not silence")
  void silenceThroughApi() throws Exception {
    String incident = "inc-silenced-" + UUID.randomUUID();
    String silence =
        "{\"matchers\": [\"incident=\\\""
            + incident
            + "\\\"\"], \"duration\": \"1h\","
            + " \"comment\": \"known, being fixed\"}";
    assertThat(call("POST", "/silences", "viewer", silence).statusCode()).isEqualTo(403);
    HttpResponse<String> bad =
        call("POST", "/silences", "responder", "{\"matchers\": [\"=~\"], \"comment\": \"\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(EventCodec.MAPPER.readTree(bad.body()).path("problems").size())
        .as("every problem listed: %s", bad.body())
        .isGreaterThanOrEqualTo(2);

    HttpResponse<String> created = call("POST", "/silences", "responder", silence);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode made = EventCodec.MAPPER.readTree(created.body());
    assertThat(made.path("createdBy").asText()).isEqualTo("it-responder");
    assertThat(made.path("status").path("state").asText()).isEqualTo("active");

    publish(opened(incident, "SEV3", Instant.now()));
    String other = "inc-" + UUID.randomUUID();
    publish(opened(other, "SEV3", Instant.now()));
    await().atMost(Duration.ofSeconds(30)).until(() -> to("team", other).size() == 1);
    assertThat(to("team", incident)).as("silenced").isEmpty();

    HttpResponse<String> expired =
        call("DELETE", "/silences/" + made.path("id").asText(), "responder", null);
    assertThat(expired.statusCode()).as(expired.body()).isEqualTo(200);
    assertThat(EventCodec.MAPPER.readTree(expired.body()).path("status").path("state").asText())
        .isEqualTo("expired");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(to("team", incident)).hasSize(1));
  }

  @Test
  @DisplayName("A critical check on a host inhibits a warning on the same host, not on another")
  void inhibition() throws Exception {
    String host = "osd-" + UUID.randomUUID();
    String other = "osd-" + UUID.randomUUID();
    publish(health("SLOW_OPS_" + host.hashCode(), "HEALTH_ERR", host));
    publish(health("MTU_MISMATCH_" + host.hashCode(), "HEALTH_WARN", host));
    publish(health("MTU_MISMATCH_" + other.hashCode(), "HEALTH_WARN", other));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(checks("team", "SLOW_OPS_" + host.hashCode())).isNotEmpty();
              assertThat(checks("team", "MTU_MISMATCH_" + other.hashCode())).isNotEmpty();
            });
    assertThat(checks("team", "MTU_MISMATCH_" + host.hashCode())).as("inhibited").isEmpty();
  }

  private static CloudEvent health(String check, String status, String host) {
    // a probe's health check names its host in its source: /probes/NAME/HOST
    return CloudEvent.of(new HealthChanged(check, status, check + " on " + host, List.of(), 1))
        .source("/probes/ceph/" + host)
        .time(Instant.now())
        .build();
  }

  private static List<JsonNode> checks(String receiver, String check) {
    return received.getOrDefault(receiver, List.of()).stream()
        .filter(n -> n.path("groupLabels").path("check").asText().equals(check))
        .toList();
  }

  @Test
  @DisplayName(
      "Alertmanager's webhook in becomes io.valentia.alert.v1 events that are routed like any"
          + " alert; a malformed payload is refused with every problem and publishes nothing")
  void alertmanagerIn() throws Exception {
    String instance = "osd-" + UUID.randomUUID() + ":9283";
    String payload =
        "{\"version\":\"4\",\"groupKey\":\"{}:{}\",\"truncatedAlerts\":0,\"status\":\"firing\","
            + "\"receiver\":\"valentia\",\"groupLabels\":{},\"commonLabels\":{},"
            + "\"commonAnnotations\":{},\"externalURL\":\"http://am.example:9093\",\"alerts\":[{"
            + "\"status\":\"firing\",\"labels\":{\"alertname\":\"CephOSDDown\",\"severity\":"
            + "\"warning\",\"instance\":\""
            + instance
            + "\",\"incident\":\"am-"
            + instance
            + "\"},\"annotations\":{\"summary\":\"osd down\"},\"startsAt\":"
            + "\"2026-12-07T09:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":"
            + "\"http://prometheus.example/graph\",\"fingerprint\":\"0123456789abcdef\"}]}";
    assertThat(call("POST", "/alertmanager", "viewer", payload).statusCode()).isEqualTo(403);
    HttpResponse<String> bad =
        call("POST", "/alertmanager", "responder", "{\"version\":\"3\",\"alerts\":[{}]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(EventCodec.MAPPER.readTree(bad.body()).path("problems").size())
        .isGreaterThanOrEqualTo(3);

    HttpResponse<String> ok = call("POST", "/alertmanager", "responder", payload);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(to("team", "am-" + instance)).hasSize(1));
    JsonNode alert = to("team", "am-" + instance).get(0).path("alerts").get(0);
    assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("CephOSDDown");
    assertThat(alert.path("generatorURL").asText()).isEqualTo("http://prometheus.example/graph");
  }

  @Test
  @DisplayName(
      "Slack's signed /valentia silence makes a silence as the mapped user; an unsigned or"
          + " stale request is refused, and an unknown user is a viewer")
  void slackCommand() throws Exception {
    String body =
        "token=x&team_id=T0&user_id=U0RESPONDER&user_name=alice&command=%2Fvalentia&text="
            + java.net.URLEncoder.encode(
                "silence host=\"osd-9\" 2h switch maintenance", StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    HttpResponse<String> unsigned = slack(body, now, "v0=00");
    assertThat(unsigned.statusCode()).isEqualTo(401);
    HttpResponse<String> stale = slack(body, now - 600, sign(body, now - 600));
    assertThat(stale.statusCode()).isEqualTo(401);

    HttpResponse<String> ok = slack(body, now, sign(body, now));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    JsonNode answer = EventCodec.MAPPER.readTree(ok.body());
    assertThat(answer.path("response_type").asText()).isEqualTo("in_channel");
    JsonNode silences = EventCodec.MAPPER.readTree(call("GET", "/silences", "viewer", null).body());
    assertThat(silences)
        .anySatisfy(
            s -> {
              assertThat(s.path("createdBy").asText()).isEqualTo("slack:alice");
              assertThat(s.path("comment").asText()).isEqualTo("switch maintenance");
              assertThat(s.path("matchers").toString()).contains("osd-9");
            });

    String stranger = body.replace("U0RESPONDER", "U0STRANGER");
    JsonNode refused = EventCodec.MAPPER.readTree(slack(stranger, now, sign(stranger, now)).body());
    assertThat(refused.path("text").asText()).contains("viewer");
  }

  private static HttpResponse<String> slack(String body, long timestamp, String signature)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + platform.port() + "/api/v1/slack/commands"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
            .header("X-Slack-Signature", signature)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String sign(String body, long timestamp) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] digest = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder("v0=");
    for (byte b : digest) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }

  @Test
  @DisplayName(
      "A restart between an incident's notification and its resolution sends the resolution"
          + " once and the firing message not again")
  void restartKeepsGroups() throws Exception {
    String incident = "inc-restart-" + UUID.randomUUID();
    publish(opened(incident, "SEV3", Instant.now()));
    await().atMost(Duration.ofSeconds(30)).until(() -> to("team", incident).size() == 1);

    platform.stop();
    platform = startPlatform();
    publish(
        CloudEvent.of(new IncidentResolved("fixed", "alice", 5))
            .source("/postmortem/incidents")
            .incidentId(incident)
            .time(Instant.now())
            .build());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(to("team", incident)).hasSize(2));
    assertThat(to("team", incident).get(1).path("status").asText()).isEqualTo("resolved");
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> to("team", incident).size() == 2);
  }
}
