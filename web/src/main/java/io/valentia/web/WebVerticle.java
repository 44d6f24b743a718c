package io.valentia.web;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthSource;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.web.auth.AccessApi;
import io.valentia.web.auth.ApiAuthenticator;
import io.valentia.web.auth.AuthFailures;
import io.valentia.web.auth.ClientAddress;
import io.valentia.web.auth.OriginCheck;
import io.valentia.web.auth.Principal;
import io.valentia.web.auth.Sessions;
import io.valentia.web.auth.TokenStore;
import io.valentia.web.gateway.ApiGateway;
import io.valentia.web.ingest.EventsIngest;
import io.valentia.web.openapi.ApiDescription;
import io.valentia.web.stream.EventStreams;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: {@code GET /health} without authentication, everything under {@code /api/v1}
 * behind the {@link ApiAuthenticator}, the browser pages from the jar, and the security headers on
 * every response. Connections are closed after {@link WebConfig#idleTimeout} without traffic, and
 * when a request's headers take longer than {@link WebConfig#headerTimeout}; failed authentications
 * are throttled ({@link AuthFailures}); a change made with a browser session must carry its CSRF
 * token and come from this site's origin ({@link OriginCheck}); a change is answered within {@link
 * WebConfig#kafkaWait}.
 *
 * <p>This class puts the server together and owns its life; each job has a class of its own: {@link
 * RequestAuthentication}, {@link AuditTrail}, {@link ChangeDeadline}, {@link SecurityHeaders},
 * {@link HealthEndpoint}, {@link PageRoutes}, {@link RouteListing}, and {@link AccessApi} behind
 * the session and token routes.
 */
public final class WebVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);

  private final WebConfig config;
  private final HealthSource health;
  private final ApiAuthenticator authenticator;
  private final ApiRoutes api;
  private final Gateway gateway;
  private final ApiGateway forwarding;
  private final boolean entryPoint;
  private final ClientAddress client;
  private final AuthFailures failures;
  private final AuditTrail auditTrail;
  private RequestAuthentication authentication;
  private HttpServer server;
  private Router router;
  private Buffer openApi;

  /**
   * What the server offers beyond {@code /health} and the pages; every part may be absent (null).
   *
   * @param tokens the token store behind {@code /api/v1/tokens}, also asked for bearer tokens the
   *     server's authenticator does not know; null: no tokens route
   * @param sessions browser sessions, closed when the server stops; null: no login
   * @param audit where audit events of every change go; null: not audited (tests only)
   * @param streams the live stream behind {@code /api/v1/events/stream}; null: none
   */
  public record Gateway(
      TokenStore tokens, Sessions sessions, EventPublisher audit, EventStreams streams) {
    /** Nothing beyond the authenticated API. */
    public static final Gateway NONE = new Gateway(null, null, null, null);
  }

  public WebVerticle(WebConfig config, HealthSource health, ApiAuthenticator authenticator) {
    this(config, health, authenticator, new ApiRoutes());
  }

  /**
   * @param api the routes other services contributed, mounted under {@code /api/v1}
   */
  public WebVerticle(
      WebConfig config, HealthSource health, ApiAuthenticator authenticator, ApiRoutes api) {
    this(config, health, authenticator, api, Gateway.NONE);
  }

  /**
   * @param api the routes other services contributed, mounted under {@code /api/v1}
   * @param gateway tokens, sessions, audit and the live stream
   */
  public WebVerticle(
      WebConfig config,
      HealthSource health,
      ApiAuthenticator authenticator,
      ApiRoutes api,
      Gateway gateway) {
    this(config, health, authenticator, api, gateway, null, true);
  }

  /**
   * The entry point of a platform whose other roles run in other processes.
   *
   * @param api the routes other services of this process contributed, mounted under {@code /api/v1}
   * @param gateway tokens, sessions, audit and the live stream
   * @param forwarding the roles that run elsewhere, forwarded there; null: none
   */
  public WebVerticle(
      WebConfig config,
      HealthSource health,
      ApiAuthenticator authenticator,
      ApiRoutes api,
      Gateway gateway,
      ApiGateway forwarding) {
    this(config, health, authenticator, api, gateway, forwarding, true);
  }

  /**
   * The own server of a process that runs roles but not {@code web}: {@code /health} and the API
   * routes of its services, behind the same authentication (tokens and sessions from the shared
   * state topics) and audit as the entry point, without pages, token management, login or the live
   * stream. The {@code web} role of another process forwards requests here.
   *
   * @param sessions browser sessions made at the entry point; null: tokens only
   * @param audit where audit events of every change go; null: not audited (tests only)
   */
  public static WebVerticle roleApi(
      WebConfig config,
      HealthSource health,
      ApiAuthenticator authenticator,
      Sessions sessions,
      EventPublisher audit,
      ApiRoutes api) {
    return new WebVerticle(
        config, health, authenticator, api, new Gateway(null, sessions, audit, null), null, false);
  }

  private WebVerticle(
      WebConfig config,
      HealthSource health,
      ApiAuthenticator authenticator,
      ApiRoutes api,
      Gateway gateway,
      ApiGateway forwarding,
      boolean entryPoint) {
    this.forwarding = forwarding;
    this.entryPoint = entryPoint;
    this.config = config;
    this.health = health;
    this.authenticator =
        gateway.tokens() == null
            ? authenticator
            : ApiAuthenticator.either(authenticator, gateway.tokens());
    this.api = api;
    this.gateway = gateway;
    this.client = new ClientAddress(config.trustedProxies());
    this.failures =
        new AuthFailures(config.throttleFailures(), config.throttlePer(), gateway.audit());
    this.auditTrail = new AuditTrail(gateway.audit(), client);
  }

  @Override
  public Future<?> start() {
    return vertx
        .executeBlocking(
            () ->
                Buffer.buffer(
                    EventCodec.MAPPER.writeValueAsBytes(
                        ApiDescription.load(WebVerticle.class.getClassLoader()))),
            false)
        .compose(
            description -> {
              openApi = description;
              return serve();
            });
  }

  private Future<HttpServer> serve() {
    Router router = Router.router(vertx);
    this.router = router;
    authentication =
        new RequestAuthentication(
            vertx,
            authenticator,
            gateway.sessions(),
            client,
            new OriginCheck(client, config.allowedOrigins()),
            failures,
            !entryPoint);
    HeaderDeadline deadline = new HeaderDeadline(vertx, config.headerTimeout());
    router
        .route()
        .handler(
            ctx -> {
              ctx.addEndHandler(done -> deadline.answered(ctx.request()));
              ctx.next();
            });
    router.route().handler(SecurityHeaders::handle);
    HealthEndpoint healthEndpoint = new HealthEndpoint(health);
    router.get("/health").handler(healthEndpoint::handle);
    router.head("/health").handler(healthEndpoint::handle);
    router.get("/api/v1/openapi.json").handler(this::openApi);
    router.route("/api/v1/*").handler(auditTrail::handle);
    if (forwarding != null) {
      forward(router);
    }
    router.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route("/api/v1/*").handler(new ChangeDeadline(vertx, config.kafkaWait())::handle);
    AccessApi access =
        new AccessApi(authenticator, gateway.tokens(), gateway.sessions(), client, failures);
    if (gateway.sessions() != null && entryPoint) {
      router.post("/api/v1/session").handler(access::login);
    }
    // signed routes check their own signature instead of a token (Slack's slash commands)
    api.signed().forEach((path, sub) -> router.route("/api/v1" + path + "*").subRouter(sub));
    router.route("/api/v1/*").handler(authentication::handle);
    router.get("/api/v1/whoami").handler(WebVerticle::whoami);
    if (!entryPoint) {
      return serveRoleApi(router, deadline);
    }
    mountAccess(router, access);
    if (gateway.streams() != null) {
      router.get("/api/v1/events/stream").handler(gateway.streams()::handle);
    }
    if (gateway.audit() != null) {
      router.post("/api/v1/events").handler(new EventsIngest(gateway.audit())::handle);
    }
    api.mounted().forEach((path, sub) -> router.route("/api/v1" + path + "*").subRouter(sub));
    router
        .route("/api/*")
        .handler(ctx -> error(ctx, 404, "no such API route: " + ctx.normalizedPath()));
    PageRoutes.mount(router);
    if (forwarding != null) {
      forwarding.start();
    }
    return listen(router, deadline);
  }

  /** Session and token management: the entry point's own routes. */
  private void mountAccess(Router router, AccessApi access) {
    router.get("/api/v1/session").handler(access::session);
    router.delete("/api/v1/session").handler(access::logout);
    if (gateway.tokens() != null) {
      router.post("/api/v1/tokens").handler(access::createToken);
      router.get("/api/v1/tokens").handler(access::listTokens);
      router.delete("/api/v1/tokens/:id").handler(access::revokeToken);
    }
    if (gateway.sessions() != null) {
      router.get("/api/v1/sessions").handler(access::listSessions);
      router.delete("/api/v1/sessions/:id").handler(access::endSession);
      router.delete("/api/v1/sessions").handler(access::endSessionsOf);
    }
  }

  /**
   * Forwards the paths of the roles that run elsewhere, before any handler reads the body: signed
   * paths as they are, the others once the request is authenticated here (the process checks
   * again).
   */
  private void forward(Router router) {
    for (ApiGateway.RemoteRole remote : forwarding.roles()) {
      for (String path : remote.paths()) {
        var route =
            router
                .route("/api/v1" + path + "*")
                .handler(
                    ctx -> {
                      ctx.request().pause();
                      // a refusal here leaves the body unread: drain it once answered
                      ctx.addEndHandler(done -> ctx.request().resume());
                      ctx.next();
                    });
        if (!remote.signedPaths().contains(path)) {
          route.handler(authentication::handle);
        }
        route.handler(ctx -> forwarding.forward(ctx, remote.role()));
      }
    }
  }

  /** The rest of a role's own server: its services' routes and nothing for browsers. */
  private Future<HttpServer> serveRoleApi(Router router, HeaderDeadline deadline) {
    api.mounted().forEach((path, sub) -> router.route("/api/v1" + path + "*").subRouter(sub));
    router.route("/*").handler(ctx -> error(ctx, 404, "no such route: " + ctx.normalizedPath()));
    return listen(router, deadline);
  }

  private Future<HttpServer> listen(Router router, HeaderDeadline deadline) {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                // no cleartext HTTP/2: its detection holds a connection back from the connection
                // handler until a whole request is in, which would blind the header deadline
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectionHandler(deadline::opened)
        .requestHandler(
            request -> {
              deadline.headersIn(request);
              router.handle(request);
            })
        .listen(config.port(), config.host())
        .onSuccess(
            s -> {
              server = s;
              LOG.info(
                  "{} on http://{}:{}",
                  entryPoint ? "web server" : "API server of this process's roles",
                  config.host(),
                  s.actualPort());
            });
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Every route this server answers under {@code /api/v1} and at {@code /health}, sub-routers
   * included, as {@code METHOD /path} with OpenAPI's {@code {name}} for a path parameter ({@code
   * ANY} for a route of every method), sorted: what the OpenAPI document must describe. Empty
   * before the start.
   */
  public List<String> apiRoutes() {
    if (router == null) {
      return List.of();
    }
    return RouteListing.apiRoutes(router);
  }

  @Override
  public Future<?> stop() {
    if (forwarding != null) {
      forwarding.close();
    }
    if (gateway.streams() != null) {
      gateway.streams().closeAll();
    }
    if (gateway.sessions() != null) {
      gateway.sessions().close();
    }
    return Future.succeededFuture();
  }

  /** The whole API's OpenAPI document, merged from every module's fragment at start. */
  private void openApi(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(openApi);
  }

  private static void whoami(RoutingContext ctx) {
    Principal principal = ctx.get(AccessApi.PRINCIPAL);
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("name", principal.name()).put("role", principal.role()).encode());
  }

  /** Answers {@code status} with {@code {"error": message}}. */
  static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
