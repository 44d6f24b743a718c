package io.valentia.app;

import static io.valentia.app.ApiCalls.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.app.ApiCalls.Answer;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.EventCodec;
import io.valentia.web.testing.BrowserScripts;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifications page on a real platform (the web and notifications roles on the embedded
 * broker, configured from a YAML file) whose only receiver is a webhook served by this test. In
 * headless Chromium ({@code notifications.test.mjs} from the web module's browser tests): the
 * receiver and its route are shown, an alert from Alertmanager is among the recent notifications,
 * "Send test message" reaches the webhook, a silence is made with the keyboard and another expired
 * by clicking, and a viewer's buttons are disabled.
 */
@DisplayName("The notifications page on a real platform with a real webhook receiver")
class NotificationsPageIT {
  private static final String ADMIN = TestTokens.ADMIN;

  @TempDir static Path data;
  private static Vertx vertx;
  private static HttpServer receiver;
  private static final Queue<Hook> HOOKS = new ConcurrentLinkedQueue<>();
  private static Platform platform;

  /** One request the webhook receiver took. */
  private record Hook(String method, String path, String contentType, String body) {}

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    receiver =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              HOOKS.add(
                                  new Hook(
                                      request.method().name(),
                                      request.path(),
                                      request.getHeader("content-type"),
                                      body.toString()));
                              request.response().setStatusCode(200).end("ok");
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Path file = data.resolve("valentia.yaml");
    Files.writeString(
        file,
        """
        notifications:
          route:
            receiver: team
            group_by: [incident]
            group_wait: 1s
            group_interval: 2s
          receivers:
            - name: team
              webhook_configs:
                - url: "http://127.0.0.1:%d/hook"
        """
            .formatted(receiver.actualPort()));
    ValentiaConfig config =
        ConfigLoader.load(
            file,
            Map.of(),
            Map.of(
                "data",
                data.resolve("platform").toString(),
                "kafka.port",
                0,
                "http.port",
                0,
                "roles",
                List.of("web", "notifications")));
    platform =
        Platform.start(
            config,
            Map.of("VALENTIA_ADMIN_TOKEN", ADMIN),
            new PrintStream(new ByteArrayOutputStream()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (platform != null) {
      platform.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "Shows the receiver and its route, sends a test message the webhook receives in"
          + " Alertmanager's v4 form, creates and expires silences from the form, and keeps a"
          + " viewer's buttons disabled.")
  void notificationsPageWorks() throws Exception {
    BrowserScripts.requireBrowser();
    String base = "http://127.0.0.1:" + platform.httpPort();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String operatorName = "page-operator-" + run;
    String operator = token(base, operatorName, "operator");
    String viewer = token(base, "page-viewer-" + run, "viewer");

    // an alert from Prometheus's Alertmanager, routed to the webhook before the page is opened
    Answer alerted =
        api(
            base,
            ADMIN,
            "POST",
            "/api/v1/alertmanager",
            """
            {"version": "4", "status": "firing", "receiver": "prometheus", "groupKey": "{}",
             "alerts": [{"status": "firing", "startsAt": "%s",
               "labels": {"alertname": "DiskFull", "instance": "osd-%s", "severity": "warning"},
               "annotations": {"summary": "the disk of osd-%s is full"}}]}
            """
                .formatted(Instant.now(), run, run));
    assertThat(alerted.status()).as(alerted.body().toString()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(HOOKS)
                    .anySatisfy(
                        hook ->
                            assertThat(firstAlertLabels(hook).path("instance").asText())
                                .isEqualTo("osd-" + run)));

    Path log = data.resolve("notifications-browser.log");
    String output =
        BrowserScripts.run(
            "notifications.test.mjs",
            Map.of(
                "BASE_URL", base,
                "OPERATOR_TOKEN", operator,
                "OPERATOR_NAME", operatorName,
                "VIEWER_TOKEN", viewer,
                "RECEIVER", "team",
                "RUN", run),
            log);
    assertThat(output)
        .contains("ok - the receiver team is listed with its webhook integration")
        .contains("ok - Send test message shows its outcome")
        .contains("ok - a viewer's test, create and Expire buttons are disabled")
        .contains("ok - no console error and no failing request on the page");

    // the click reached the webhook: a POST of the test alert in Alertmanager's webhook format,
    // version 4
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(HOOKS)
                    .anySatisfy(
                        hook -> {
                          assertThat(hook.method()).isEqualTo("POST");
                          assertThat(hook.path()).isEqualTo("/hook");
                          assertThat(hook.contentType()).startsWith("application/json");
                          JsonNode message = EventCodec.MAPPER.readTree(hook.body());
                          assertThat(message.path("version").asText()).isEqualTo("4");
                          assertThat(message.path("receiver").asText()).isEqualTo("team");
                          assertThat(message.path("status").asText()).isIn("firing", "resolved");
                          assertThat(message.has("groupKey")).isTrue();
                          assertThat(firstAlertLabels(hook).path("type").asText())
                              .isEqualTo("io.valentia.notification.test");
                        }));

    // the silences made in the page, as the API has them
    JsonNode silences = api(base, ADMIN, "GET", "/api/v1/silences", null).body();
    assertThat(silences.isArray()).as(silences.toString()).isTrue();
    JsonNode kept = silenceWithComment(silences, "disk swap on osd-" + run + " (keep)");
    assertThat(kept).as("the silence made with the keyboard, in %s", silences).isNotNull();
    assertThat(texts(kept.path("matchers")))
        .containsExactlyInAnyOrder("host=\"osd-" + run + "\"", "severity=\"critical\"");
    assertThat(kept.path("createdBy").asText()).isEqualTo(operatorName);
    assertThat(kept.path("status").path("state").asText()).isEqualTo("active");
    Duration length =
        Duration.between(
            Instant.parse(kept.path("startsAt").asText()),
            Instant.parse(kept.path("endsAt").asText()));
    assertThat(length).isEqualTo(Duration.ofHours(2));

    JsonNode expired = silenceWithComment(silences, "expire me " + run);
    assertThat(expired).as("the silence expired by clicking, in %s", silences).isNotNull();
    assertThat(texts(expired.path("matchers"))).containsExactly("host=\"gone-" + run + "\"");
    assertThat(expired.path("createdBy").asText()).isEqualTo(operatorName);
    assertThat(expired.path("status").path("state").asText()).isEqualTo("expired");
    assertThat(silenceWithComment(silences, "bad " + run)).as("a refused silence").isNull();

    // a viewer's token is refused by the API as well
    String body = "{\"matchers\":[\"host=\\\"x\\\"\"],\"duration\":\"1h\",\"comment\":\"viewer\"}";
    assertThat(api(base, viewer, "POST", "/api/v1/silences", body).status()).isEqualTo(403);
    assertThat(
            api(base, viewer, "DELETE", "/api/v1/silences/" + kept.path("id").asText(), null)
                .status())
        .isEqualTo(403);
    assertThat(
            api(base, viewer, "POST", "/api/v1/notifications/test", "{\"receiver\":\"team\"}")
                .status())
        .isEqualTo(403);
  }

  /** The labels of the first alert of a webhook message. */
  private static JsonNode firstAlertLabels(Hook hook) throws Exception {
    return EventCodec.MAPPER.readTree(hook.body()).path("alerts").path(0).path("labels");
  }

  private static JsonNode silenceWithComment(JsonNode silences, String comment) {
    for (JsonNode s : silences) {
      if (comment.equals(s.path("comment").asText())) {
        return s;
      }
    }
    return null;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
    return out;
  }

  private static String token(String base, String name, String role) throws Exception {
    return ApiCalls.token(base, ADMIN, name, role);
  }
}
