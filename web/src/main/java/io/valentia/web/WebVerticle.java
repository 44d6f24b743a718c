package io.valentia.web;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.HealthSource;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.web.auth.ApiAuthenticator;
import io.valentia.web.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: {@code GET /health} without authentication, everything under {@code /api/v1}
 * behind the {@link ApiAuthenticator}, the browser pages from the jar, and the security headers on
 * every response.
 */
public final class WebVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);
  static final String PRINCIPAL = "valentia.principal";
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'self'";

  private final WebConfig config;
  private final HealthSource health;
  private final ApiAuthenticator authenticator;
  private final ApiRoutes api;
  private HttpServer server;

  public WebVerticle(WebConfig config, HealthSource health, ApiAuthenticator authenticator) {
    this(config, health, authenticator, new ApiRoutes());
  }

  /**
   * @param api the routes other services contributed, mounted under {@code /api/v1}
   */
  public WebVerticle(
      WebConfig config, HealthSource health, ApiAuthenticator authenticator, ApiRoutes api) {
    this.config = config;
    this.health = health;
    this.authenticator = authenticator;
    this.api = api;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(WebVerticle::securityHeaders);
    router.get("/health").handler(this::health);
    router.head("/health").handler(this::health);
    router.route("/api/v1/*").handler(this::authenticate);
    router.get("/api/v1/whoami").handler(WebVerticle::whoami);
    api.mounted().forEach((path, sub) -> router.route("/api/v1" + path + "*").subRouter(sub));
    router
        .route("/api/*")
        .handler(ctx -> error(ctx, 404, "no such API route: " + ctx.normalizedPath()));
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(
            s -> {
              server = s;
              LOG.info("web server on http://{}:{}", config.host(), s.actualPort());
            });
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void health(RoutingContext ctx) {
    Future<HealthReport> pending;
    try {
      pending = health.report();
    } catch (RuntimeException e) {
      pending = Future.failedFuture(e);
    }
    pending
        .onSuccess(
            report ->
                ctx.response()
                    .setStatusCode(HealthReport.ERR.equals(report.status()) ? 503 : 200)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json(report)))
        .onFailure(
            e -> {
              LOG.warn("health report failed", e);
              error(ctx, 500, "health report failed: " + e.getMessage());
            });
  }

  private void authenticate(RoutingContext ctx) {
    Optional<Principal> principal = authenticator.authenticate(ctx.request());
    if (principal.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"valentia\"");
      error(ctx, 401, "a valid API token is required (Authorization: Bearer TOKEN)");
      return;
    }
    ctx.put(PRINCIPAL, principal.get());
    ctx.put(ApiRoutes.PRINCIPAL_NAME, principal.get().name());
    ctx.put(ApiRoutes.PRINCIPAL_ROLE, principal.get().role());
    ctx.next();
  }

  private static void whoami(RoutingContext ctx) {
    Principal principal = ctx.get(PRINCIPAL);
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json(principal));
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cache-Control", "no-store");
    ctx.next();
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  private static String json(Object value) {
    try {
      return EventCodec.MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
