package io.valentia.web.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
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
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web server behind a trusted reverse proxy (this test, at 127.0.0.1, plays the proxy and names
 * the clients in {@code X-Forwarded-For}), with a tight failure allowance of 3 an hour.
 */
@DisplayName(
    "Throttled authentication failures, forwarded headers from trusted proxies, and the Origin"
        + " check on changes made with a browser session")
class HttpHardeningIT {
  private static final String ADMIN = TestTokens.ADMIN;
  private static final String ALLOWED = "https://ops.example";

  @TempDir static Path dir;
  private static StateTables tables;
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static WebVerticle web;
  private static AccessState access;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "hardening-it");
    tables = new StateTables(KafkaTestSupport.settings());
    access = AccessState.open(tables, dir, ADMIN, line -> {});
    ApiRoutes api = new ApiRoutes();
    Router halt = Router.router(vertx);
    halt.post("/").handler(ctx -> ctx.response().setStatusCode(202).end("{\"halted\":true}"));
    api.mount("/halt", halt);
    WebConfig config =
        WebConfig.of(
            EventCodec.MAPPER.readTree(
                "{\"host\": \"127.0.0.1\", \"port\": 0, \"trusted-proxies\": [\"127.0.0.1\","
                    + " \"::1\"], \"allowed-origins\": [\""
                    + ALLOWED
                    + "\"], \"throttle\": {\"failures\": 3, \"per\": \"1h\"}}"));
    web =
        new WebVerticle(
            config,
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            access.admin(),
            api,
            new WebVerticle.Gateway(access.tokens(), access.sessions(), publisher, null));
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, SECONDS);
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
      "After 3 wrong bearer tokens from one client address, its requests are answered 429 with"
          + " Retry-After, even with a valid token; a valid token from another address is served"
          + " at once; the throttling is audited once.")
  void bearerFailuresAreThrottledPerAddress() throws Exception {
    String attacker = freshAddress();
    String user = freshAddress();

    for (int i = 0; i < 3; i++) {
      assertThat(whoami(attacker, "vt_wrong-" + i))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(401);
    }
    HttpResponse<String> throttled = whoami(attacker, "vt_wrong-again");

    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After").map(Long::parseLong))
        .hasValueSatisfying(seconds -> assertThat(seconds).isPositive());
    assertThat(throttled.body()).contains(attacker);
    assertThat(whoami(attacker, ADMIN).statusCode()).isEqualTo(429);
    assertThat(whoami(user, ADMIN).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(throttleAudits())
                    .filteredOn(a -> a.path("target").asText().equals("address " + attacker))
                    .singleElement()
                    .satisfies(
                        a -> {
                          assertThat(a.path("outcome").asText()).isEqualTo("denied");
                          assertThat(a.path("actor").asText()).isEqualTo("anonymous");
                          assertThat(a.path("remoteAddress").asText()).isEqualTo(attacker);
                        }));
  }

  @Test
  @DisplayName(
      "After 3 failed logins from one address, logins from there are answered 429, a right token"
          + " included, while a login from another address works.")
  void loginFailuresAreThrottledPerAddress() throws Exception {
    String attacker = freshAddress();

    for (int i = 0; i < 3; i++) {
      assertThat(login(attacker, "vt_wrong-" + i, Map.of()).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> throttled = login(attacker, ADMIN, Map.of());
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
    assertThat(throttled.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(login(freshAddress(), ADMIN, Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "A principal refused 3 times (here a viewer asking for admin routes) is answered 429 for"
          + " a while, whatever it asks and from wherever; another viewer is not slowed.")
  void refusalsAreThrottledPerPrincipal() throws Exception {
    String viewer = token("viewer");
    String otherViewer = token("viewer");

    for (int i = 0; i < 3; i++) {
      assertThat(
              send(
                      "GET",
                      "/api/v1/tokens",
                      Map.of(
                          "Authorization", "Bearer " + viewer, "X-Forwarded-For", freshAddress()),
                      null)
                  .statusCode())
          .isEqualTo(403);
    }

    assertThat(whoami(freshAddress(), viewer).statusCode()).isEqualTo(429);
    assertThat(whoami(freshAddress(), otherViewer).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "Behind a trusted proxy that says X-Forwarded-Proto: https the session cookie is Secure, and"
          + " the session records the client's address from X-Forwarded-For.")
  void forwardedProtoMakesTheCookieSecure() throws Exception {
    String client = freshAddress();
    HttpResponse<String> overTls = login(client, ADMIN, Map.of("X-Forwarded-Proto", "https"));
    HttpResponse<String> plain = login(freshAddress(), ADMIN, Map.of("X-Forwarded-Proto", "http"));

    assertThat(overTls.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");
    assertThat(plain.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
    assertThat(access.sessions().list("admin"))
        .anySatisfy(s -> assertThat(s.address()).isEqualTo(client));
  }

  @Test
  @DisplayName(
      "A change made with a browser session and its CSRF token passes from this site's origin or"
          + " a configured one, and is 403 from another origin or with no Origin at all.")
  void originIsChecked() throws Exception {
    String operator = token("operator");
    HttpResponse<String> login = login(freshAddress(), operator, Map.of());
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = new JsonObject(login.body()).getString("csrfToken");

    HttpResponse<String> foreign = halt(cookie, csrf, "https://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.body()).contains("Origin").contains("evil.example");
    assertThat(halt(cookie, csrf, null).statusCode()).isEqualTo(403);
    assertThat(halt(cookie, csrf, "http://127.0.0.1:" + web.actualPort()).statusCode())
        .isEqualTo(202);
    assertThat(halt(cookie, csrf, ALLOWED).statusCode()).isEqualTo(202);
  }

  // ---------------------------------------------------------------------------------------------

  /** An address of the documentation block no other test uses. */
  private static String freshAddress() {
    String hex = UUID.randomUUID().toString().replace("-", "");
    return "2001:db8:"
        + hex.substring(0, 4)
        + ":"
        + hex.substring(4, 8)
        + "::"
        + hex.substring(8, 12);
  }

  private static String token(String role) {
    return access
        .tokens()
        .create(
            role + "-" + UUID.randomUUID().toString().substring(0, 8),
            Role.parse(role).orElseThrow(),
            "test")
        .token();
  }

  private static HttpResponse<String> whoami(String from, String token) throws Exception {
    return send(
        "GET",
        "/api/v1/whoami",
        Map.of("Authorization", "Bearer " + token, "X-Forwarded-For", from),
        null);
  }

  private static HttpResponse<String> login(String from, String token, Map<String, String> more)
      throws Exception {
    Map<String, String> headers = new HashMap<>(more);
    headers.put("Content-Type", "application/json");
    headers.put("X-Forwarded-For", from);
    return send("POST", "/api/v1/session", headers, new JsonObject().put("token", token).encode());
  }

  private static HttpResponse<String> halt(String cookie, String csrf, String origin)
      throws Exception {
    Map<String, String> headers = new HashMap<>();
    headers.put("Cookie", cookie);
    headers.put("X-CSRF-Token", csrf);
    headers.put("Content-Type", "application/json");
    if (origin != null) {
      headers.put("Origin", origin);
    }
    return send("POST", "/api/v1/halt", headers, "{}");
  }

  private static HttpResponse<String> send(
      String method, String path, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.actualPort() + path))
            .timeout(Duration.ofSeconds(15))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonNode> throttleAudits() throws Exception {
    List<JsonNode> audits = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(Topics.EVENTS)) {
      JsonNode event = EventCodec.MAPPER.readTree(record.value());
      if (EventType.AUDIT.type().equals(event.path("type").asText())
          && "auth.throttle".equals(event.path("data").path("action").asText())) {
        audits.add(event.path("data"));
      }
    }
    return audits;
  }
}
