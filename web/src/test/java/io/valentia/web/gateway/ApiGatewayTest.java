package io.valentia.web.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The gateway forwards the API of roles that run in other processes")
class ApiGatewayTest {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final String ROLE = "things";

  private Vertx vertx;
  private final List<HttpServer> upstreams = new ArrayList<>();
  private final Checks health = new Checks();
  private String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstreams.add(upstream("one"));
    upstreams.add(upstream("two"));
    Upstreams config =
        new Upstreams(
            Map.of(
                ROLE,
                upstreams.stream()
                    .map(s -> URI.create("http://127.0.0.1:" + s.actualPort()))
                    .toList()),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofMillis(200));
    ApiGateway gateway =
        new ApiGateway(
            vertx,
            List.of(new ApiGateway.RemoteRole(ROLE, List.of("/things"), List.of())),
            config,
            health);
    WebVerticle web =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            health,
            AdminToken.configured(TOKEN),
            new ApiRoutes(),
            WebVerticle.Gateway.NONE,
            gateway);
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(10, SECONDS);
    base = "http://127.0.0.1:" + web.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
  }

  @Test
  @DisplayName("Requests go to the role's processes in turn, with their body and the token.")
  void forwardsInTurnWithBody() throws Exception {
    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> response = send("POST", "/api/v1/things/x?n=" + i, "{\"n\":" + i + "}");
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject body = new JsonObject(response.body());
      assertThat(body.getString("body")).isEqualTo("{\"n\":" + i + "}");
      assertThat(body.getString("uri")).isEqualTo("/api/v1/things/x?n=" + i);
      assertThat(body.getString("authorization")).isEqualTo("Bearer " + TOKEN);
      assertThat(body.getString("host")).isEqualTo(URI.create(base).getAuthority());
      answeredBy.add(body.getString("server"));
    }
    assertThat(answeredBy).containsOnly("one", "two").contains("one", "two");
  }

  @Test
  @DisplayName("A request without a valid token is refused at the gateway and never forwarded.")
  void refusesWithoutToken() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/things/x")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName(
      "With one process gone the other answers every request; with none a 503 names the role"
          + " and the health check says so until one is back.")
  void failsOverThenNamesTheRole() throws Exception {
    upstreams.get(0).close().toCompletionStage().toCompletableFuture().get(5, SECONDS);
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> response = send("GET", "/api/v1/things/y", null);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(response.body()).getString("server")).isEqualTo("two");
    }
    assertThat(health.raised).doesNotContainKey(ApiGateway.CHECK);

    int port = upstreams.get(1).actualPort();
    upstreams.get(1).close().toCompletionStage().toCompletableFuture().get(5, SECONDS);
    HttpResponse<String> refused = send("POST", "/api/v1/things/halt", "{}");
    assertThat(refused.statusCode()).isEqualTo(503);
    JsonObject error = new JsonObject(refused.body());
    assertThat(error.getString("error")).isEqualTo("the things role is not reachable");
    assertThat(error.getString("role")).isEqualTo(ROLE);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(health.raised.get(ApiGateway.CHECK))
                    .isNotNull()
                    .extracting(HealthCheck::summary)
                    .isEqualTo("the things role is not reachable"));

    upstreams.set(1, upstream("two again", port));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(health.raised).doesNotContainKey(ApiGateway.CHECK));
    assertThat(new JsonObject(send("GET", "/api/v1/things/z", null).body()).getString("server"))
        .isEqualTo("two again");
  }

  @Test
  @DisplayName("A stream of server-sent events passes through as it is written, not at its end.")
  void streamsServerSentEvents() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/things/stream"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      // the upstream writes one event now and never ends the stream: it must arrive anyway
      assertThat(lines.readLine()).isEqualTo("data: first");
    }
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpServer upstream(String name) throws Exception {
    return upstream(name, 0);
  }

  /** A role's process: echoes what it got, and a stream that sends one event and stays open. */
  private HttpServer upstream(String name, int port) throws Exception {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.response().end("{}"));
    router
        .get("/api/v1/things/stream")
        .handler(
            ctx ->
                ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .write("data: first\n\n"));
    router.route("/api/v1/things*").handler(BodyHandler.create());
    router
        .route("/api/v1/things*")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put("server", name)
                            .put("uri", ctx.request().uri())
                            .put("authorization", ctx.request().getHeader("Authorization"))
                            .put("host", ctx.request().getHeader("Host"))
                            .put("body", ctx.body().asString())
                            .encode()));
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(port, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, SECONDS);
  }

  /** The checks raised, as a process's health registry holds them. */
  private static final class Checks implements HealthRegistry {
    final Map<String, HealthCheck> raised = new ConcurrentHashMap<>();

    @Override
    public void service(String name, ServiceStatus status) {}

    @Override
    public void raise(String name, HealthCheck check) {
      raised.put(name, check);
    }

    @Override
    public void clear(String name) {
      raised.remove(name);
    }

    @Override
    public Future<HealthReport> report() {
      return Future.failedFuture("not asked here");
    }
  }
}
