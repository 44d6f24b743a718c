package io.valentia.web;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.HealthSource;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The web server: /health, the authenticated API, the security headers and the pages")
class WebVerticleTest {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** What the next {@code GET /health} gets from the health source; reset after every test. */
  private static final AtomicReference<Supplier<Future<HealthReport>>> NEXT_REPORT =
      new AtomicReference<>();

  private static Vertx vertx;
  private static WebVerticle verticle;
  private static HttpClient client;

  @BeforeAll
  static void startServer() throws Exception {
    NEXT_REPORT.set(() -> Future.succeededFuture(healthyReport()));
    HealthSource source = () -> NEXT_REPORT.get().get();
    AdminToken authenticator = AdminToken.configured(TOKEN);
    vertx = Vertx.vertx();
    verticle = new WebVerticle(new WebConfig("127.0.0.1", 0), source, authenticator);
    vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(10, SECONDS);
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }
  }

  @AfterEach
  void resetHealthSource() {
    NEXT_REPORT.set(() -> Future.succeededFuture(healthyReport()));
  }

  // ---------------------------------------------------------------------------------------------
  // /health

  @Nested
  @DisplayName("GET /health")
  class Health {

    @Test
    @DisplayName(
        "A healthy report is served with 200 as JSON holding exactly what the source gave.")
    void healthyReportIsServedAsJson() throws Exception {
      HealthReport report = detailedReport(Map.of());
      NEXT_REPORT.set(() -> Future.succeededFuture(report));

      HttpResponse<String> response = get("/health");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).startsWith("application/json");
      assertReportJson(new JsonObject(response.body()), report);
    }

    @Test
    @DisplayName(
        "The JSON carries the Kafka bootstrap, embedded, reachable and every topic's numbers.")
    void kafkaSectionIsComplete() throws Exception {
      NEXT_REPORT.set(() -> Future.succeededFuture(detailedReport(Map.of())));

      JsonObject kafka = new JsonObject(get("/health").body()).getJsonObject("kafka");

      assertThat(kafka.getString("bootstrap")).isEqualTo("broker-1:9092,broker-2:9092");
      assertThat(kafka.getBoolean("embedded")).isFalse();
      assertThat(kafka.getBoolean("reachable")).isTrue();
      JsonObject topics = kafka.getJsonObject("topics");
      assertThat(topics.fieldNames())
          .containsExactlyInAnyOrder("valentia.events", "valentia.incidents");
      JsonObject events = topics.getJsonObject("valentia.events");
      assertThat(events.getInteger("partitions")).isEqualTo(6);
      assertThat(events.getInteger("replicationFactor")).isEqualTo(3);
      assertThat(events.getLong("records")).isEqualTo(12_345_678_901L);
      assertThat(events.getJsonArray("mismatches")).isEmpty();
      JsonObject incidents = topics.getJsonObject("valentia.incidents");
      assertThat(incidents.getInteger("partitions")).isEqualTo(1);
      assertThat(incidents.getInteger("replicationFactor")).isEqualTo(1);
      assertThat(incidents.getLong("records")).isEqualTo(-1L);
      assertThat(strings(incidents.getJsonArray("mismatches")))
          .containsExactly("partitions: 1, configured 3", "replication factor: 1, configured 3");
    }

    @Test
    @DisplayName("A report with only warnings is HEALTH_WARN and still served with 200.")
    void warningIsStill200() throws Exception {
      HealthReport report =
          detailedReport(
              Map.of(
                  "TOPIC_MISMATCH",
                  new HealthCheck(
                      HealthReport.WARN,
                      "1 topic differs from its configuration",
                      List.of("valentia.incidents: partitions: 1, configured 3"))));
      NEXT_REPORT.set(() -> Future.succeededFuture(report));

      HttpResponse<String> response = get("/health");

      assertThat(report.status()).isEqualTo(HealthReport.WARN);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject json = new JsonObject(response.body());
      assertThat(json.getString("status")).isEqualTo("HEALTH_WARN");
      assertReportJson(json, report);
    }

    @Test
    @DisplayName("A HEALTH_ERR report is served with 503 and the body is still the whole report.")
    void errorIs503WithTheReport() throws Exception {
      HealthReport report =
          detailedReport(
              Map.of(
                  "KAFKA_UNREACHABLE",
                  new HealthCheck(
                      HealthReport.ERR,
                      "Kafka is unreachable",
                      List.of("broker-1:9092: connection refused")),
                  "TOPIC_MISMATCH",
                  new HealthCheck(
                      HealthReport.WARN, "1 topic differs from its configuration", List.of())));
      NEXT_REPORT.set(() -> Future.succeededFuture(report));

      HttpResponse<String> response = get("/health");

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(contentType(response)).startsWith("application/json");
      JsonObject json = new JsonObject(response.body());
      assertThat(json.getString("status")).isEqualTo("HEALTH_ERR");
      assertThat(json.containsKey("error")).isFalse();
      assertReportJson(json, report);
    }

    @Test
    @DisplayName("The overall status served is the worst severity among the checks.")
    void overallStatusIsTheWorstCheck() throws Exception {
      Map<String, HealthCheck> checks =
          Map.of(
              "A_WARN", new HealthCheck(HealthReport.WARN, "warn", List.of()),
              "B_ERR", new HealthCheck(HealthReport.ERR, "err", List.of()),
              "C_WARN", new HealthCheck(HealthReport.WARN, "warn again", List.of()));
      NEXT_REPORT.set(() -> Future.succeededFuture(detailedReport(checks)));

      HttpResponse<String> response = get("/health");

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(response.body()).getString("status")).isEqualTo("HEALTH_ERR");
    }

    @Test
    @DisplayName(
        "Checks and services appear in the JSON sorted by name, whatever map they came in.")
    void checksAndServicesAreSortedByName() throws Exception {
      Map<String, HealthCheck> checks = new HashMap<>();
      Map<String, ServiceStatus> services = new HashMap<>();
      List<String> names = List.of("ZETA", "ALPHA", "MIKE", "BRAVO", "YANKEE", "CHARLIE", "KILO");
      for (String name : names) {
        checks.put(name, new HealthCheck(HealthReport.WARN, name, List.of()));
        services.put(name.toLowerCase(Locale.ROOT), ServiceStatus.running(null));
      }
      NEXT_REPORT.set(
          () ->
              Future.succeededFuture(
                  HealthReport.of(
                      checks, services, new KafkaStatus("localhost:9092", true, true, Map.of()))));

      JsonObject json = new JsonObject(get("/health").body());

      assertThat(List.copyOf(json.getJsonObject("checks").fieldNames())).isSorted().hasSize(7);
      assertThat(List.copyOf(json.getJsonObject("services").fieldNames())).isSorted().hasSize(7);
    }

    @Test
    @DisplayName("A healthy report has HEALTH_OK and an empty checks object.")
    void healthyHasNoChecks() throws Exception {
      HttpResponse<String> response = get("/health");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject json = new JsonObject(response.body());
      assertThat(json.getString("status")).isEqualTo("HEALTH_OK");
      assertThat(json.getJsonObject("checks")).isEmpty();
    }

    @Test
    @DisplayName("A failed health-source future gives 500 with a JSON error naming the cause.")
    void failingSourceGives500Json() throws Exception {
      NEXT_REPORT.set(() -> Future.failedFuture(new IllegalStateException("admin client closed")));

      HttpResponse<String> response = get("/health");

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(contentType(response)).startsWith("application/json");
      JsonObject json = new JsonObject(response.body());
      assertThat(json.fieldNames()).containsExactly("error");
      assertThat(json.getString("error")).contains("health report failed", "admin client closed");
    }

    @Test
    @DisplayName("A report that arrives later (a pending future) is still served.")
    void asynchronousReportIsServed() throws Exception {
      NEXT_REPORT.set(
          () -> {
            Promise<HealthReport> promise = Promise.promise();
            vertx.setTimer(50, id -> promise.complete(healthyReport()));
            return promise.future();
          });

      HttpResponse<String> response = get("/health");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(response.body()).getString("status")).isEqualTo("HEALTH_OK");
    }

    @Test
    @DisplayName("/health needs no token, and a wrong token does not stop it either.")
    void healthNeedsNoToken() throws Exception {
      assertThat(get("/health").statusCode()).isEqualTo(200);
      assertThat(get("/health", "Bearer wrong").statusCode()).isEqualTo(200);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // /api/v1

  @Nested
  @DisplayName("The API under /api/v1")
  class Api {

    @Test
    @DisplayName("whoami without a token is 401 with a Bearer challenge and a JSON error.")
    void noTokenIs401() throws Exception {
      HttpResponse<String> response = get("/api/v1/whoami");

      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer "));
      assertThat(contentType(response)).startsWith("application/json");
      assertThat(new JsonObject(response.body()).getString("error")).isNotBlank();
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(
        strings = {
          "Bearer wrong",
          "Bearer " + TOKEN + "x",
          "Bearer " + "vt_test-admin-token-0123456789abcdefghi",
          "Basic dnRfdGVzdC1hZG1pbi10b2tlbi0wMTIzNDU2Nzg5YWJjZGVmZ2hpag==",
          TOKEN,
          "Bearer",
          "Bearer ",
          "Token " + TOKEN
        })
    @DisplayName("whoami with a wrong token or scheme is 401 with a Bearer challenge.")
    void wrongTokenIs401(String authorization) throws Exception {
      HttpResponse<String> response = get("/api/v1/whoami", authorization);

      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer "));
      assertThat(new JsonObject(response.body()).getString("error")).isNotBlank();
    }

    @Test
    @DisplayName("whoami with the admin token is 200 and names the admin.")
    void rightTokenIs200() throws Exception {
      HttpResponse<String> response = get("/api/v1/whoami", "Bearer " + TOKEN);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).startsWith("application/json");
      assertThat(new JsonObject(response.body()))
          .isEqualTo(new JsonObject().put("name", "admin").put("role", "admin"));
      assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(strings = {"bearer ", "BEARER ", "BeArEr "})
    @DisplayName("The Bearer scheme is accepted in any letter case.")
    void schemeIsCaseInsensitive(String scheme) throws Exception {
      HttpResponse<String> response = get("/api/v1/whoami", scheme + TOKEN);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(response.body()).getString("role")).isEqualTo("admin");
    }

    @Test
    @DisplayName("An unknown API route with the admin token is a JSON 404 naming the path.")
    void unknownRouteWithTokenIs404Json() throws Exception {
      HttpResponse<String> response = get("/api/v1/nope", "Bearer " + TOKEN);

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(contentType(response)).startsWith("application/json");
      assertThat(new JsonObject(response.body()).getString("error")).contains("/api/v1/nope");
    }

    @Test
    @DisplayName("An unknown API route without a token is 401: authentication comes first.")
    void unknownRouteWithoutTokenIs401() throws Exception {
      HttpResponse<String> response = get("/api/v1/nope");

      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
      assertThat(new JsonObject(response.body()).getString("error")).isNotBlank();
    }

    @Test
    @DisplayName("A route under /api outside /api/v1 is a JSON 404, not a page.")
    void unknownApiVersionIs404Json() throws Exception {
      HttpResponse<String> response = get("/api/v2/whoami");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(contentType(response)).startsWith("application/json");
      assertThat(new JsonObject(response.body()).getString("error")).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "/api/v1/./whoami",
          "/api/x/../v1/whoami",
          "/api/v1/whoami/",
          "/api/v1/whoami?x=1",
          "/api/v1/%77hoami",
          "/static/../api/v1/whoami"
        })
    @DisplayName("Path tricks do not reach whoami without a token.")
    void pathTricksDoNotBypassAuthentication(String path) throws Exception {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).isNotEqualTo(200);
      assertThat(response.body()).doesNotContain("\"role\"");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // security headers

  @Nested
  @DisplayName("Security headers")
  class SecurityHeaders {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "/health",
          "/",
          "/health.js",
          "/valentia.css",
          "/no-such-page.html",
          "/api/v1/whoami",
          "/api/v2/nope"
        })
    @DisplayName("Every response carries the CSP, nosniff, DENY framing and a Referrer-Policy.")
    void everyResponseHasSecurityHeaders(String path) throws Exception {
      assertSecurityHeaders(get(path));
    }

    @Test
    @DisplayName("The 503 of an unhealthy report and the 500 of a failed source carry them too.")
    void errorResponsesHaveSecurityHeaders() throws Exception {
      NEXT_REPORT.set(
          () ->
              Future.succeededFuture(
                  detailedReport(
                      Map.of("X", new HealthCheck(HealthReport.ERR, "down", List.of())))));
      HttpResponse<String> unhealthy = get("/health");
      assertThat(unhealthy.statusCode()).isEqualTo(503);
      assertSecurityHeaders(unhealthy);

      NEXT_REPORT.set(() -> Future.failedFuture("boom"));
      HttpResponse<String> failed = get("/health");
      assertThat(failed.statusCode()).isEqualTo(500);
      assertSecurityHeaders(failed);
    }

    @Test
    @DisplayName("A 404 for an unknown page carries the security headers.")
    void notFoundPageHasSecurityHeaders() throws Exception {
      HttpResponse<String> response = get("/no-such-page.html");

      assertThat(response.statusCode()).isEqualTo(404);
      assertSecurityHeaders(response);
    }

    @Test
    @DisplayName("The 401 and the API 404 carry the security headers.")
    void apiErrorsHaveSecurityHeaders() throws Exception {
      HttpResponse<String> unauthorized = get("/api/v1/whoami");
      assertThat(unauthorized.statusCode()).isEqualTo(401);
      assertSecurityHeaders(unauthorized);

      HttpResponse<String> notFound = get("/api/v1/nope", "Bearer " + TOKEN);
      assertThat(notFound.statusCode()).isEqualTo(404);
      assertSecurityHeaders(notFound);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // pages

  @Nested
  @DisplayName("The browser pages")
  class Pages {

    @Test
    @DisplayName("/ serves index.html as text/html, and it loads /health.js.")
    void rootServesIndex() throws Exception {
      HttpResponse<String> response = get("/");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).startsWith("text/html");
      assertThat(response.body()).contains("<title>Valentia</title>");
      assertThat(response.body()).contains("src=\"/health.js\"");
      assertThat(response.body()).isEqualTo(resource("webroot/index.html"));
    }

    @Test
    @DisplayName("/index.html serves the same page as /.")
    void indexHtmlServesIndex() throws Exception {
      HttpResponse<String> response = get("/index.html");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(get("/").body());
    }

    @Test
    @DisplayName("/health.js is served as JavaScript with the content of the jar's resource.")
    void healthJsIsServed() throws Exception {
      HttpResponse<String> response = get("/health.js");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).containsIgnoringCase("javascript");
      assertThat(response.body()).isEqualTo(resource("webroot/health.js"));
    }

    @Test
    @DisplayName("/valentia.css is served as text/css.")
    void cssIsServed() throws Exception {
      HttpResponse<String> response = get("/valentia.css");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).startsWith("text/css");
    }

    @Test
    @DisplayName("/search serves the event search page without a login (its script asks for one).")
    void searchPageIsServed() throws Exception {
      HttpResponse<String> response = get("/search");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).startsWith("text/html");
      assertThat(response.body()).isEqualTo(resource("webroot/search.html"));
    }

    @Test
    @DisplayName("/favicon.ico is a real icon, served without a login.")
    void faviconIsServed() throws Exception {
      HttpResponse<byte[]> response =
          client
              .sendAsync(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + verticle.actualPort() + "/favicon.ico"))
                      .timeout(TIMEOUT)
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray())
              .get(15, SECONDS);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(contentType(response)).startsWith("image/");
      // an ICO file: reserved 0, type 1 (icon), at least one image
      assertThat(response.body()).startsWith(0, 0, 1, 0);
      assertThat(response.body()[4]).isPositive();
    }

    @Test
    @DisplayName("An unknown page is 404.")
    void unknownPageIs404() throws Exception {
      assertThat(get("/no-such-page.html").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "/../log4j2-test.xml",
          "/..%2flog4j2-test.xml",
          "/%2e%2e/log4j2-test.xml",
          "/%2e%2e%2flog4j2-test.xml",
          "/../io/valentia/web/WebVerticle.class",
          "/..%2fio%2fvalentia%2fweb%2fWebVerticle.class"
        })
    @DisplayName("Paths climbing out of webroot do not serve other classpath files.")
    void noTraversalOutOfWebroot(String path) throws Exception {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).isNotEqualTo(200);
      assertThat(response.body()).doesNotContain("<Configuration").doesNotContain("WebVerticle");
    }

    @Test
    @DisplayName("The page's script inserts server text with textContent and never with innerHTML.")
    void scriptNeverUsesInnerHtml() {
      String script = resource("webroot/health.js");

      assertThat(script).contains("textContent");
      assertThat(script)
          .doesNotContain("innerHTML")
          .doesNotContain("outerHTML")
          .doesNotContain("insertAdjacentHTML")
          .doesNotContain("document.write")
          .doesNotContain("eval(");
    }

    @Test
    @DisplayName(
        "index.html has no inline script, inline style or inline handler the CSP would block.")
    void indexHasNothingInline() {
      String html = resource("webroot/index.html");

      assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
      assertThat(html).doesNotContain("<style").doesNotContain("style=");
      assertThat(html).doesNotContainPattern("\\son[a-z]+\\s*=");
      assertThat(html).doesNotContain("javascript:");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private static HttpResponse<String> get(String path) throws Exception {
    return get(path, null);
  }

  private static HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + path))
            .timeout(TIMEOUT)
            .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .get(15, SECONDS);
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String.class::cast).toList();
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static void assertSecurityHeaders(HttpResponse<?> response) {
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .as("Content-Security-Policy of %s", response.uri())
        .hasValueSatisfying(
            csp ->
                assertThat(csp)
                    .contains("default-src 'self'")
                    .contains("script-src 'self'")
                    .contains("object-src 'none'")
                    .contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline")
                    .doesNotContain("unsafe-eval"));
    assertThat(response.headers().firstValue("X-Content-Type-Options"))
        .as("X-Content-Type-Options of %s", response.uri())
        .hasValue("nosniff");
    assertThat(response.headers().firstValue("X-Frame-Options"))
        .as("X-Frame-Options of %s", response.uri())
        .hasValue("DENY");
    assertThat(response.headers().firstValue("Referrer-Policy"))
        .as("Referrer-Policy of %s", response.uri())
        .hasValueSatisfying(value -> assertThat(value).isNotBlank());
  }

  private static String resource(String name) {
    try (InputStream in = WebVerticle.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as("classpath resource %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HealthReport healthyReport() {
    return HealthReport.of(
        Map.of(),
        Map.of("web", ServiceStatus.running("http://127.0.0.1")),
        new KafkaStatus("localhost:9092", true, true, Map.of()));
  }

  private static HealthReport detailedReport(Map<String, HealthCheck> checks) {
    return HealthReport.of(
        checks,
        Map.of(
            "web", ServiceStatus.running("http://127.0.0.1:8080"),
            "detector", new ServiceStatus("failed", "no consumer assignment"),
            "responder", new ServiceStatus("starting", null)),
        new KafkaStatus(
            "broker-1:9092,broker-2:9092",
            false,
            true,
            Map.of(
                "valentia.events",
                new KafkaStatus.Topic(6, 3, 12_345_678_901L, List.of()),
                "valentia.incidents",
                new KafkaStatus.Topic(
                    1,
                    1,
                    -1L,
                    List.of(
                        "partitions: 1, configured 3", "replication factor: 1, configured 3")))));
  }

  /** Asserts that {@code json} is {@code report}, field by field. */
  private static void assertReportJson(JsonObject json, HealthReport report) {
    assertThat(json.fieldNames())
        .containsExactlyInAnyOrder("status", "checks", "services", "kafka");
    assertThat(json.getString("status")).isEqualTo(report.status());

    JsonObject checks = json.getJsonObject("checks");
    assertThat(checks.fieldNames()).containsExactlyInAnyOrderElementsOf(report.checks().keySet());
    report
        .checks()
        .forEach(
            (name, check) -> {
              JsonObject c = checks.getJsonObject(name);
              assertThat(c.getString("severity")).as(name).isEqualTo(check.severity());
              assertThat(c.getString("summary")).as(name).isEqualTo(check.summary());
              assertThat(strings(c.getJsonArray("detail"))).as(name).isEqualTo(check.detail());
            });

    JsonObject services = json.getJsonObject("services");
    assertThat(services.fieldNames())
        .containsExactlyInAnyOrderElementsOf(report.services().keySet());
    report
        .services()
        .forEach(
            (name, service) -> {
              JsonObject s = services.getJsonObject(name);
              assertThat(s.getString("state")).as(name).isEqualTo(service.state());
              assertThat(s.getString("detail")).as(name).isEqualTo(service.detail());
            });

    JsonObject kafka = json.getJsonObject("kafka");
    KafkaStatus expected = report.kafka();
    assertThat(kafka.getString("bootstrap")).isEqualTo(expected.bootstrap());
    assertThat(kafka.getBoolean("embedded")).isEqualTo(expected.embedded());
    assertThat(kafka.getBoolean("reachable")).isEqualTo(expected.reachable());
    JsonObject topics = kafka.getJsonObject("topics");
    assertThat(topics.fieldNames()).containsExactlyInAnyOrderElementsOf(expected.topics().keySet());
    expected
        .topics()
        .forEach(
            (name, topic) -> {
              JsonObject t = topics.getJsonObject(name);
              assertThat(t.getInteger("partitions")).as(name).isEqualTo(topic.partitions());
              assertThat(t.getInteger("replicationFactor"))
                  .as(name)
                  .isEqualTo(topic.replicationFactor());
              assertThat(t.getLong("records")).as(name).isEqualTo(topic.records());
              JsonArray mismatches = t.getJsonArray("mismatches");
              assertThat(strings(mismatches)).as(name).isEqualTo(topic.mismatches());
            });
  }
}
