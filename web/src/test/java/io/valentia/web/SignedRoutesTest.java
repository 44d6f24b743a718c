package io.valentia.web;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.Role;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.auth.RolePolicy;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "Routes a service authenticates by signature, and the roles of the notification routes")
class SignedRoutesTest {
  private static final String TOKEN = TestTokens.ADMIN;
  private static Vertx vertx;
  private static WebVerticle web;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ApiRoutes api = new ApiRoutes();
    Router signed = Router.router(vertx);
    signed
        .post("/commands")
        .handler(
            ctx -> {
              boolean valid = "good".equals(ctx.request().getHeader("X-Signature"));
              ctx.response().setStatusCode(valid ? 200 : 401).end(valid ? "signed" : "unsigned");
            });
    api.mountSigned("/slack", signed);
    Router silences = Router.router(vertx);
    silences.get("/").handler(ctx -> ctx.response().end("[]"));
    api.mount("/silences", silences);
    web =
        new WebVerticle(
            new WebConfig("127.0.0.1", 0),
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            AdminToken.configured(TOKEN),
            api);
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(10, SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
  }

  private static HttpResponse<String> send(String method, String path, String header)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.actualPort() + path))
            .method(method, HttpRequest.BodyPublishers.ofString("x"));
    if (header != null) {
      request.header("X-Signature", header);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName(
      "A signed route answers without a token and refuses what its own check refuses; the token"
          + " routes still need a token")
  void signedRoutesNeedNoToken() throws Exception {
    assertThat(send("POST", "/api/v1/slack/commands", "good").statusCode()).isEqualTo(200);
    assertThat(send("POST", "/api/v1/slack/commands", "bad").statusCode()).isEqualTo(401);
    assertThat(send("POST", "/api/v1/slack/other", "good").statusCode())
        .as("other paths under it are not signed routes")
        .isEqualTo(401);
    assertThat(send("GET", "/api/v1/silences", null).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName(
      "Silences and Prometheus alerts need a responder to change, a test notification an"
          + " operator; reading needs a viewer")
  void notificationRoles() {
    assertThat(RolePolicy.required(HttpMethod.POST, "/api/v1/silences")).isEqualTo(Role.RESPONDER);
    assertThat(RolePolicy.required(HttpMethod.DELETE, "/api/v1/silences/s1"))
        .isEqualTo(Role.RESPONDER);
    assertThat(RolePolicy.required(HttpMethod.POST, "/api/v1/alertmanager"))
        .isEqualTo(Role.RESPONDER);
    assertThat(RolePolicy.required(HttpMethod.POST, "/api/v1/notifications/test"))
        .isEqualTo(Role.OPERATOR);
    assertThat(RolePolicy.required(HttpMethod.GET, "/api/v1/notifications/log"))
        .isEqualTo(Role.VIEWER);
  }
}
