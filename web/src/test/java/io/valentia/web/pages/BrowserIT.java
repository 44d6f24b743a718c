package io.valentia.web.pages;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.Role;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.auth.AccessState;
import io.valentia.web.auth.TokenStore;
import io.valentia.web.stream.EventStreams;
import io.valentia.web.testing.BrowserScripts;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code src/test/browser/ui.test.mjs} in headless Chromium against a real web server on the
 * shared Kafka. Needs Debian's {@code chromium} and {@code npm ci} in {@code src/test/browser}
 * (both done by {@code .ci/run}); without them the test fails and says what is missing.
 */
@DisplayName("The pages in a real headless Chromium")
class BrowserIT {
  private static final String ADMIN = TestTokens.ADMIN;

  /** A check as Ceph raises it, with more detail lines than the dashboard shows at once. */
  private static final HealthCheck SLOW_PINGS =
      new HealthCheck(
          HealthReport.WARN,
          "Slow OSD heartbeats on back (longest 1118.001ms): path MTU 1500 below the configured 9000",
          java.util.stream.IntStream.range(0, 7)
              .mapToObj(
                  i ->
                      "Slow OSD heartbeats on back from osd."
                          + i
                          + " [dc1,rack1] to osd.7 [dc1,rack2] 1118.001 msec possibly improving;"
                          + " path MTU 1500, interface MTU 9000")
              .toList());

  @TempDir static Path dir;
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static WebVerticle web;
  private static TokenStore tokens;
  private static StateTables tables;

  @BeforeAll
  static void start() throws Exception {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "browser-it");
    tables = new StateTables(KafkaTestSupport.settings());
    AccessState access = AccessState.open(tables, dir, ADMIN, line -> {});
    tokens = access.tokens();
    ApiRoutes api = new ApiRoutes();
    // the chaos role's halt switch as ChaosService answers it: GET /halt, POST /halt
    Router halt = Router.router(vertx);
    halt.get("/")
        .handler(
            ctx ->
                ctx.json(
                    new JsonObject()
                        .put("halted", false)
                        .put("activeFaults", 0)
                        .put("runs", java.util.List.of())));
    halt.post("/")
        .handler(
            ctx ->
                ctx.json(
                    new JsonObject()
                        .put("halted", true)
                        .put("activeFaults", 0)
                        .put("revertedFaults", 0)
                        .put("command", "test")));
    api.mount("/halt", halt);
    // how the browser test publishes an event (as ./valentia emit does: through the publisher)
    Router emit = Router.router(vertx);
    emit.post("/")
        .handler(BodyHandler.create())
        .handler(
            ctx -> {
              JsonObject body = ctx.body().asJsonObject();
              CloudEvent.Builder event =
                  CloudEvent.builder(body.getString("type"))
                      .source("/test/browser")
                      .subject(body.getString("subject"))
                      .data(EventCodec.MAPPER.valueToTree(body.getJsonObject("data").getMap()));
              if (body.getString("severity") != null) {
                event.severity(
                    io.valentia.eventbus.Severity.parse(body.getString("severity")).orElseThrow());
              }
              publisher
                  .publish(event.build())
                  .onSuccess(p -> ctx.response().setStatusCode(202).end())
                  .onFailure(e -> ctx.response().setStatusCode(500).end(e.toString()));
            });
    api.mount("/test-emit", emit);
    web =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of("OSD_SLOW_PING_TIME_BACK", SLOW_PINGS),
                        Map.of(),
                        new KafkaStatus("k", true, true, Map.of()))),
            access.admin(),
            api,
            new WebVerticle.Gateway(
                tokens,
                access.sessions(),
                publisher,
                new EventStreams(KafkaTestSupport.settings(), EventStreams.Limits.DEFAULT)));
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, SECONDS);
    // the producer's first send sets up its session with the broker; do that before measuring
    publisher
        .publish(CloudEvent.builder("com.example.ui.warmup.v1").source("/test/browser").build())
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, SECONDS);
    }
    if (publisher != null) {
      publisher.close();
    }
    if (tables != null) {
      tables.close();
    }
  }

  @Test
  @DisplayName(
      "Live view, filter, hostile data as text, login, logout, CSRF, and halt by role all work in"
          + " Chromium.")
  void pagesWorkInChromium() throws Exception {
    Path log = dir.resolve("browser.log");
    String output =
        BrowserScripts.run(
            "ui.test.mjs",
            Map.of(
                "BASE_URL",
                "http://127.0.0.1:" + web.actualPort(),
                "VIEWER_TOKEN",
                tokens.create("ui-viewer", Role.VIEWER, "test").token(),
                "OPERATOR_TOKEN",
                tokens.create("ui-operator", Role.OPERATOR, "test").token(),
                "EMIT_TOKEN",
                ADMIN),
            log);
    assertThat(output)
        .contains("ok - an emitted event appears in the live view within 1 s")
        .contains("ok - a viewer's halt-all is refused (403)")
        .contains("ok - an operator's halt-all works");
  }

  @Test
  @DisplayName(
      "After a login the browser goes only to a path of this origin, whatever the next address"
          + " holds")
  void loginRedirectStaysHere() throws Exception {
    Path log = dir.resolve("login.log");
    String output =
        BrowserScripts.run(
            "login.test.mjs",
            Map.of(
                "BASE_URL",
                "http://127.0.0.1:" + web.actualPort(),
                "VIEWER_TOKEN",
                tokens.create("login-viewer", Role.VIEWER, "test").token()),
            log);
    assertThat(output)
        .contains("ok - no next address takes the browser to another site after the login")
        .contains("ok - a path of this origin is kept with its query and fragment");
  }
}
