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
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.cli.WebCommands;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("The secure API: tokens, roles, browser login with CSRF, and the audit trail on Kafka")
class GatewayIT {
  private static final String ADMIN = TestTokens.ADMIN;

  @TempDir static Path dir;
  private static StateTables tables;
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static WebVerticle web;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<StateTables> restarts = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "gateway-it");
    tables = new StateTables(KafkaTestSupport.settings());
    AccessState access = AccessState.open(tables, dir, ADMIN, line -> {});
    ApiRoutes api = new ApiRoutes();
    // what the chaos service mounts: POST /api/v1/halt
    Router halt = Router.router(vertx);
    halt.post("/").handler(ctx -> ctx.response().setStatusCode(202).end("{\"halted\":true}"));
    api.mount("/halt", halt);
    web =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
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
    restarts.forEach(StateTables::close);
    if (tables != null) {
      tables.close();
    }
  }

  @Test
  @DisplayName(
      "token create makes a token of the role that works at once; only its hash is on Kafka.")
  void tokenCreateWorks() throws Exception {
    JsonObject created = createToken("viewer");
    String token = created.getString("token");

    assertThat(token).startsWith("vt_");
    HttpResponse<String> whoami = request("GET", "/api/v1/whoami", bearer(token), null);
    assertThat(whoami.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(whoami.body()).getString("role")).isEqualTo("viewer");
    List<String> stored = new ArrayList<>();
    KafkaTestSupport.readAll(Topics.STATE_TOKENS).stream()
        .filter(r -> r.value() != null)
        .forEach(r -> stored.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(stored)
        .anySatisfy(v -> assertThat(v).contains(created.getString("id")))
        .allSatisfy(v -> assertThat(v).doesNotContain(token).doesNotContain(token.substring(3)));
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  @DisplayName("A viewer token gets 403 on halt while an operator's works; both are audited.")
  void viewerCannotHalt() throws Exception {
    String viewer = createToken("viewer").getString("token");
    JsonObject operatorToken = createToken("operator");

    HttpResponse<String> denied = request("POST", "/api/v1/halt", bearer(viewer), "{}");
    HttpResponse<String> allowed =
        request("POST", "/api/v1/halt", bearer(operatorToken.getString("token")), "{}");

    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("needs operator");
    assertThat(allowed.statusCode()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(audits())
                    .anySatisfy(
                        a -> {
                          assertThat(a.path("actor").asText())
                              .isEqualTo(operatorToken.getString("name"));
                          assertThat(a.path("action").asText()).isEqualTo("POST /api/v1/halt");
                          assertThat(a.path("outcome").asText()).isEqualTo("success");
                          assertThat(a.path("remoteAddress").asText()).isEqualTo("127.0.0.1");
                        })
                    .anySatisfy(
                        a -> {
                          assertThat(a.path("role").asText()).isEqualTo("viewer");
                          assertThat(a.path("action").asText()).isEqualTo("POST /api/v1/halt");
                          assertThat(a.path("outcome").asText()).isEqualTo("denied");
                        }));
  }

  @Test
  @DisplayName(
      "A change refused for want of a valid token is audited too, as actor anonymous with role"
          + " none, and its audit event passes its schema")
  void anonymousRefusalIsAudited() throws Exception {
    String marker = "/api/v1/halt?probe=" + java.util.UUID.randomUUID();
    HttpResponse<String> refused = request("POST", marker, bearer("vt_not-a-token"), "{}");
    assertThat(refused.statusCode()).isEqualTo(401);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(audits())
                    .anySatisfy(
                        a -> {
                          assertThat(a.path("actor").asText()).isEqualTo("anonymous");
                          assertThat(a.path("role").asText()).isEqualTo("none");
                          assertThat(a.path("outcome").asText()).isEqualTo("denied");
                          assertThat(a.path("action").asText()).isEqualTo("POST /api/v1/halt");
                        }));
    for (ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(Topics.EVENTS)) {
      JsonNode event = EventCodec.MAPPER.readTree(record.value());
      if (EventType.AUDIT.type().equals(event.path("type").asText())) {
        EventCodec.instance().decode(record.value()); // throws when it fails its schema
      }
    }
  }

  @Test
  @DisplayName("Only admins manage tokens: a viewer or operator gets 403 on /api/v1/tokens.")
  void onlyAdminsManageTokens() throws Exception {
    String operator = createToken("operator").getString("token");

    assertThat(request("GET", "/api/v1/tokens", bearer(operator), null).statusCode())
        .isEqualTo(403);
    assertThat(
            request(
                    "POST",
                    "/api/v1/tokens",
                    bearer(operator),
                    "{\"name\":\"sneaky\",\"role\":\"admin\"}")
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  @DisplayName("A revoked token is refused at once.")
  void revokedTokenIsRefused() throws Exception {
    JsonObject created = createToken("responder");
    String token = created.getString("token");
    assertThat(request("GET", "/api/v1/whoami", bearer(token), null).statusCode()).isEqualTo(200);

    int exit = cli("revoke", created.getString("id"));

    assertThat(exit).isZero();
    assertThat(request("GET", "/api/v1/whoami", bearer(token), null).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName(
      "Login sets an HttpOnly SameSite=Strict cookie; a change without the CSRF token is 403,"
          + " with it it passes, and after logout the cookie is worthless.")
  void loginCsrfLogout() throws Exception {
    String operator = createToken("operator").getString("token");

    HttpResponse<String> login =
        request(
            "POST",
            "/api/v1/session",
            Map.of("Content-Type", "application/json"),
            new JsonObject().put("token", operator).encode());

    assertThat(login.statusCode()).isEqualTo(200);
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .containsIgnoringCase("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = new JsonObject(login.body()).getString("csrfToken");
    assertThat(csrf).isNotBlank();

    assertThat(request("GET", "/api/v1/whoami", Map.of("Cookie", cookie), null).statusCode())
        .isEqualTo(200);
    HttpResponse<String> noCsrf = request("POST", "/api/v1/halt", Map.of("Cookie", cookie), "{}");
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    assertThat(noCsrf.body()).contains("X-CSRF-Token");
    assertThat(
            request(
                    "POST",
                    "/api/v1/halt",
                    Map.of("Cookie", cookie, "X-CSRF-Token", "forged"),
                    "{}")
                .statusCode())
        .isEqualTo(403);
    assertThat(
            request("POST", "/api/v1/halt", Map.of("Cookie", cookie, "X-CSRF-Token", csrf), "{}")
                .statusCode())
        .isEqualTo(202);

    assertThat(
            request(
                    "DELETE",
                    "/api/v1/session",
                    Map.of("Cookie", cookie, "X-CSRF-Token", csrf),
                    null)
                .statusCode())
        .isEqualTo(204);
    assertThat(request("GET", "/api/v1/whoami", Map.of("Cookie", cookie), null).statusCode())
        .isEqualTo(401);
  }

  @Test
  @DisplayName(
      "A browser login outlives a restart of the web server, and a logout there stays logged"
          + " out.")
  void loginSurvivesRestart() throws Exception {
    String responder = createToken("responder").getString("token");
    HttpResponse<String> login =
        request(
            "POST",
            "/api/v1/session",
            Map.of("Content-Type", "application/json"),
            new JsonObject().put("token", responder).encode());
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = new JsonObject(login.body()).getString("csrfToken");

    WebVerticle restarted = restartedServer();
    String base = "http://127.0.0.1:" + restarted.actualPort();
    HttpResponse<String> whoami =
        request(base, "GET", "/api/v1/whoami", Map.of("Cookie", cookie), null);
    assertThat(whoami.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(whoami.body()).getString("role")).isEqualTo("responder");
    assertThat(
            request(
                    base,
                    "DELETE",
                    "/api/v1/session",
                    Map.of("Cookie", cookie, "X-CSRF-Token", csrf),
                    null)
                .statusCode())
        .isEqualTo(204);

    WebVerticle again = restartedServer();
    assertThat(
            request(
                    "http://127.0.0.1:" + again.actualPort(),
                    "GET",
                    "/api/v1/whoami",
                    Map.of("Cookie", cookie),
                    null)
                .statusCode())
        .isEqualTo(401);
  }

  /**
   * A second server on the same data directory whose state is read again from Kafka, as the
   * platform is after a restart.
   */
  private static WebVerticle restartedServer() throws Exception {
    StateTables restartedTables = new StateTables(KafkaTestSupport.settings());
    restarts.add(restartedTables);
    AccessState access = AccessState.open(restartedTables, dir, ADMIN, line -> {});
    WebVerticle restarted =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            access.admin(),
            new ApiRoutes(),
            new WebVerticle.Gateway(access.tokens(), access.sessions(), publisher, null));
    vertx.deployVerticle(restarted).toCompletionStage().toCompletableFuture().get(30, SECONDS);
    return restarted;
  }

  @Test
  @DisplayName(
      "token sessions lists a login (never its secret) and token end-session ends it, by id or all"
          + " of a principal's; end-session needs exactly one of the two.")
  void cliListsAndEndsSessions() throws Exception {
    JsonObject created = createToken("viewer");
    String name = created.getString("name");
    String cookie = login(created.getString("token"));
    String secondCookie = login(created.getString("token"));

    StringWriter out = new StringWriter();
    CommandLine listing = commandLine();
    listing.setOut(new PrintWriter(out));
    int listed =
        listing.execute(
            "token", "sessions", "--principal", name, "--json", "--url", url(), "--token", ADMIN);
    assertThat(listed).isZero();
    JsonObject answer = new JsonObject(out.toString().trim());
    assertThat(answer.getJsonArray("sessions")).hasSize(2);
    assertThat(out.toString()).doesNotContain(cookie.substring(cookie.indexOf('=') + 1));
    String id = answer.getJsonArray("sessions").getJsonObject(0).getString("id");

    assertThat(cli("end-session", id)).isZero();
    // the list is oldest first: the first login ended, the second lives
    assertThat(request("GET", "/api/v1/whoami", Map.of("Cookie", cookie), null).statusCode())
        .isEqualTo(401);
    assertThat(request("GET", "/api/v1/whoami", Map.of("Cookie", secondCookie), null).statusCode())
        .isEqualTo(200);
    assertThat(cli("end-session", "--principal", name)).isZero();
    assertThat(request("GET", "/api/v1/whoami", Map.of("Cookie", cookie), null).statusCode())
        .isEqualTo(401);
    assertThat(request("GET", "/api/v1/whoami", Map.of("Cookie", secondCookie), null).statusCode())
        .isEqualTo(401);
    assertThat(cli("end-session")).isEqualTo(2);
    assertThat(cli("end-session", id, "--principal", name)).isEqualTo(2);
  }

  /** Logs in with {@code token}; the session cookie as a request's Cookie header. */
  private static String login(String token) throws Exception {
    HttpResponse<String> login =
        request(
            "POST",
            "/api/v1/session",
            Map.of("Content-Type", "application/json"),
            new JsonObject().put("token", token).encode());
    assertThat(login.statusCode()).isEqualTo(200);
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  @DisplayName(
      "X-Forwarded-Proto from a peer that is not a configured proxy is ignored: the cookie of a"
          + " plain-HTTP login is not Secure.")
  void untrustedForwardedProtoIsIgnored() throws Exception {
    String token = createToken("viewer").getString("token");
    HttpResponse<String> login =
        request(
            "POST",
            "/api/v1/session",
            Map.of("Content-Type", "application/json", "X-Forwarded-Proto", "https"),
            new JsonObject().put("token", token).encode());

    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
  }

  @Test
  @DisplayName("A login with a wrong token is 401 and sets no cookie.")
  void badLogin() throws Exception {
    HttpResponse<String> login =
        request(
            "POST",
            "/api/v1/session",
            Map.of("Content-Type", "application/json"),
            "{\"token\":\"vt_wrong\"}");

    assertThat(login.statusCode()).isEqualTo(401);
    assertThat(login.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  @DisplayName("token create exits 2 on a bad role and 1 when the platform refuses the token.")
  void cliExitCodes() {
    assertThat(cli("create", "--role", "emperor")).isEqualTo(2);
    assertThat(
            commandLine()
                .execute(
                    "token", "create", "--role", "viewer", "--url", url(), "--token", "vt_nope"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "The OpenAPI document is served without a token and describes the stream, tokens and login.")
  void openApiIsServed() throws Exception {
    HttpResponse<String> response = request("GET", "/api/v1/openapi.json", Map.of(), null);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject paths = new JsonObject(response.body()).getJsonObject("paths");
    assertThat(paths.fieldNames())
        .contains(
            "/api/v1/events/stream",
            "/api/v1/tokens",
            "/api/v1/session",
            "/api/v1/sessions",
            "/api/v1/sessions/{id}",
            "/health");
  }

  // ---------------------------------------------------------------------------------------------

  private static JsonObject createToken(String role) {
    StringWriter out = new StringWriter();
    CommandLine commandLine = commandLine();
    commandLine.setOut(new PrintWriter(out));
    int exit =
        commandLine.execute(
            "token", "create", "--role", role, "--url", url(), "--token", ADMIN, "--json");
    assertThat(exit).as("token create output: %s", out).isZero();
    return new JsonObject(out.toString().trim());
  }

  private static int cli(String... args) {
    List<String> all = new ArrayList<>(List.of("token"));
    all.addAll(List.of(args));
    all.addAll(List.of("--url", url(), "--token", ADMIN));
    return commandLine().execute(all.toArray(String[]::new));
  }

  /** The same exit-code mapping as the valentia launcher. */
  private static CommandLine commandLine() {
    @CommandLine.Command(name = "valentia")
    class Root {}
    CommandLine commandLine = new CommandLine(new Root());
    new WebCommands().commands().forEach(commandLine::addSubcommand);
    commandLine.setErr(new PrintWriter(new StringWriter()));
    commandLine.setExitCodeExceptionMapper(
        e -> e instanceof CommandLine.ParameterException ? 2 : 1);
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> 1);
    return commandLine;
  }

  private static String url() {
    return "http://127.0.0.1:" + web.actualPort();
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
  }

  private static HttpResponse<String> request(
      String method, String path, Map<String, String> headers, String body) throws Exception {
    return request(url(), method, path, headers, body);
  }

  private static HttpResponse<String> request(
      String base, String method, String path, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(15))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    if (headers.containsKey("Cookie") && !headers.containsKey("Origin")) {
      request.header("Origin", base); // as a browser on this site sends it
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonNode> audits() throws Exception {
    List<JsonNode> audits = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(Topics.EVENTS)) {
      JsonNode event = EventCodec.MAPPER.readTree(record.value());
      if (EventType.AUDIT.type().equals(event.path("type").asText())
          && "/web".equals(event.path("source").asText())) {
        audits.add(event.path("data"));
      }
    }
    return audits;
  }
}
