package io.valentia.web;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.HealthSource;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.Role;
import io.valentia.web.auth.AccessApi;
import io.valentia.web.auth.ApiAuthenticator;
import io.valentia.web.auth.AuthFailures;
import io.valentia.web.auth.ClientAddress;
import io.valentia.web.auth.OriginCheck;
import io.valentia.web.auth.Principal;
import io.valentia.web.auth.RolePolicy;
import io.valentia.web.auth.Sessions;
import io.valentia.web.auth.TokenStore;
import io.valentia.web.gateway.ApiGateway;
import io.valentia.web.ingest.EventsIngest;
import io.valentia.web.openapi.ApiDescription;
import io.valentia.web.stream.EventStreams;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 */
public final class WebVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);

  /** Pages served at {@code /NAME} from {@code webroot/NAME.html}. */
  static final java.util.List<String> PAGES =
      java.util.List.of(
          "live", "experiments", "incidents", "postmortems", "search", "notifications", "login");

  static final String PRINCIPAL = AccessApi.PRINCIPAL;
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'self'";

  private final WebConfig config;
  private final HealthSource health;
  private final ApiAuthenticator authenticator;
  private final ApiRoutes api;
  private final Gateway gateway;
  private final ApiGateway forwarding;
  private final boolean entryPoint;
  private final ClientAddress client;
  private final OriginCheck origins;
  private final AuthFailures failures;
  private HttpServer server;
  private Router router;
  private Buffer openApi;

  /**
   * How long a role's own server keeps asking its tables for a token or session it does not know
   * yet: one made a moment ago at the gateway reaches this process's copy a little later.
   */
  static final long LATE_CREDENTIALS_MS = 2000;

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
    this.origins = new OriginCheck(client, config.allowedOrigins());
    this.failures =
        new AuthFailures(config.throttleFailures(), config.throttlePer(), gateway.audit());
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
    HeaderDeadline deadline = new HeaderDeadline(vertx, config.headerTimeout());
    router
        .route()
        .handler(
            ctx -> {
              ctx.addEndHandler(done -> deadline.answered(ctx.request()));
              ctx.next();
            });
    router.route().handler(WebVerticle::securityHeaders);
    router.get("/health").handler(this::health);
    router.head("/health").handler(this::health);
    router.get("/api/v1/openapi.json").handler(this::openApi);
    router.route("/api/v1/*").handler(this::audit);
    if (forwarding != null) {
      forward(router);
    }
    router.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route("/api/v1/*").handler(this::boundKafkaWait);
    AccessApi access =
        new AccessApi(authenticator, gateway.tokens(), gateway.sessions(), client, failures);
    if (gateway.sessions() != null && entryPoint) {
      router.post("/api/v1/session").handler(access::login);
    }
    // signed routes check their own signature instead of a token (Slack's slash commands)
    api.signed().forEach((path, sub) -> router.route("/api/v1" + path + "*").subRouter(sub));
    router.route("/api/v1/*").handler(this::authenticate);
    router.get("/api/v1/whoami").handler(WebVerticle::whoami);
    if (!entryPoint) {
      return serveRoleApi(router, deadline);
    }
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
    for (String page : PAGES) {
      router.get("/" + page).handler(ctx -> ctx.reroute("/" + page + ".html"));
    }
    router
        .get("/webjars/*")
        .handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(false));
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    if (forwarding != null) {
      forwarding.start();
    }
    return listen(router, deadline);
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
          route.handler(this::authenticate);
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
    Set<String> out = new TreeSet<>();
    collect(router, "", out);
    return out.stream().filter(r -> r.contains(" /api/v1/") || r.endsWith(" /health")).toList();
  }

  private static void collect(Router router, String prefix, Set<String> out) {
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (route.getSubRouter() != null) {
        collect(route.getSubRouter(), prefix + withoutTrailingSlash(path), out);
        continue;
      }
      Set<HttpMethod> methods = route.methods() == null ? Set.of() : route.methods();
      boolean methodOnly = path == null && !prefix.isEmpty() && !methods.isEmpty();
      if (methodOnly) {
        path = ""; // router.get() of a sub-router: its mount point
      } else if (path == null || !route.isExactPath()) {
        continue; // handlers of every request (headers, body, authentication) or of a tree
      }
      String full = withoutTrailingSlash(prefix + path).replaceAll(":(\\w+)", "{$1}");
      String shown = full.isEmpty() ? "/" : full;
      if (methods.isEmpty()) {
        out.add("ANY " + shown);
      } else {
        methods.forEach(m -> out.add(m.name() + " " + shown));
      }
    }
  }

  private static String withoutTrailingSlash(String path) {
    return path != null && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
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

  /**
   * Who the request comes from (a bearer token, else the session cookie), whether the role may do
   * what it asks, and, for a change made with a session, whether it carries the session's CSRF
   * token.
   */
  private void authenticate(RoutingContext ctx) {
    authenticate(ctx, entryPoint ? 0 : System.nanoTime() + LATE_CREDENTIALS_MS * 1_000_000);
  }

  /**
   * Like {@link #authenticate(RoutingContext)}; credentials not known yet are asked for again until
   * {@code lateUntil} (nanoTime; 0: not again), and count as a failure only then.
   */
  private void authenticate(RoutingContext ctx, long lateUntil) {
    String address = client.of(ctx.request());
    boolean bearer = ctx.request().getHeader(HttpHeaders.AUTHORIZATION) != null;
    if (bearer) {
      Duration throttled = failures.addressThrottled(address);
      if (!throttled.isZero()) {
        AccessApi.tooMany(ctx, throttled, "too many failed tokens from " + address);
        return;
      }
    }
    Optional<Principal> principal = authenticator.authenticate(ctx.request());
    boolean tokenFailed = bearer && principal.isEmpty();
    Sessions.Session session = null;
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    if (principal.isEmpty() && gateway.sessions() != null) {
      session = cookie == null ? null : gateway.sessions().find(cookie.getValue()).orElse(null);
      principal = Optional.ofNullable(session).map(Sessions.Session::principal);
    }
    boolean credentials = bearer || (cookie != null && gateway.sessions() != null);
    if (principal.isEmpty() && credentials && lateUntil != 0 && System.nanoTime() < lateUntil) {
      vertx.setTimer(100, t -> authenticate(ctx, lateUntil));
      return;
    }
    if (tokenFailed) {
      failures.tokenFailed(address);
    }
    if (principal.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"valentia\"");
      error(ctx, 401, "a valid API token is required (Authorization: Bearer TOKEN) or a login");
      return;
    }
    Principal who = principal.get();
    ctx.put(PRINCIPAL, who);
    ctx.put(ApiRoutes.PRINCIPAL_NAME, who.name());
    ctx.put(ApiRoutes.PRINCIPAL_ROLE, who.role());
    if (session != null) {
      ctx.put(AccessApi.SESSION, session);
    }
    Duration throttled = failures.principalThrottled(who.name());
    if (!throttled.isZero()) {
      AccessApi.tooMany(ctx, throttled, "too many refused requests by " + who.name());
      return;
    }
    Role required = RolePolicy.required(ctx.request().method(), ctx.normalizedPath());
    Role role = Role.parse(who.role()).orElse(Role.VIEWER);
    if (!role.atLeast(required)) {
      failures.refused(who, address);
      error(
          ctx,
          403,
          "the "
              + role.value()
              + " role may not "
              + ctx.request().method()
              + " "
              + ctx.normalizedPath()
              + " (needs "
              + required.value()
              + ")");
      return;
    }
    if (session != null
        && RolePolicy.isMutation(ctx.request().method())
        && !session.csrfMatches(ctx.request().getHeader(Sessions.CSRF_HEADER))) {
      failures.refused(who, address);
      error(ctx, 403, "a change made with a login needs the session's " + Sessions.CSRF_HEADER);
      return;
    }
    if (session != null
        && RolePolicy.isMutation(ctx.request().method())
        && !origins.allows(ctx.request())) {
      failures.refused(who, address);
      error(
          ctx,
          403,
          "a change made with a login must come from this site (its Origin header names "
              + (ctx.request().getHeader("Origin") == null
                  ? "no origin"
                  : "another: " + ctx.request().getHeader("Origin"))
              + ")");
      return;
    }
    ctx.next();
  }

  /**
   * A change not answered within {@link WebConfig#kafkaWait} (Kafka down or slow: every change is
   * written to Kafka before it is answered) is answered 503 with {@code Retry-After}, instead of
   * leaving the client waiting for the producer's own timeouts. Halt is left alone: it answers on
   * its own, having acted locally whether or not Kafka takes the news.
   */
  private void boundKafkaWait(RoutingContext ctx) {
    if (!RolePolicy.isMutation(ctx.request().method())
        || RolePolicy.resource(ctx.normalizedPath()).equals("halt")) {
      ctx.next();
      return;
    }
    long seconds = Math.max(1, config.kafkaWait().toSeconds());
    long timer =
        vertx.setTimer(
            Math.max(1, config.kafkaWait().toMillis()),
            id -> {
              if (!ctx.response().headWritten() && !ctx.response().closed()) {
                ctx.response().putHeader("Retry-After", Long.toString(Math.max(5, seconds)));
                error(
                    ctx,
                    503,
                    "the change was not confirmed within "
                        + config.kafkaWait().toMillis()
                        + " ms (is Kafka reachable? see /health): it may still take effect when"
                        + " Kafka answers, so check before you send it again");
              }
            });
    ctx.addEndHandler(done -> vertx.cancelTimer(timer));
    ctx.next();
  }

  /** Every change under /api/v1, allowed or not, becomes an audit event when it is answered. */
  private void audit(RoutingContext ctx) {
    if (gateway.audit() != null && RolePolicy.isMutation(ctx.request().method())) {
      String path = ctx.normalizedPath();
      String method = ctx.request().method().name();
      String remote = client.of(ctx.request());
      ctx.addEndHandler(
          done -> {
            if (Boolean.TRUE.equals(ctx.get(ApiGateway.FORWARDED))) {
              return; // the process that answered audits it
            }
            int status = ctx.response().getStatusCode();
            Principal who = ctx.get(PRINCIPAL);
            Sessions.Session session = ctx.get(AccessApi.SESSION);
            if (who == null && session != null) {
              who = session.principal();
            }
            // a refusal without a valid token is audited too: actor "anonymous", role "none"
            Audit audit =
                new Audit(
                    who == null ? "anonymous" : who.name(),
                    who == null ? "none" : who.role(),
                    method + " " + path,
                    path,
                    status < 400
                        ? "success"
                        : status == 401 || status == 403 || status == 429 ? "denied" : "failure",
                    remote,
                    EventCodec.MAPPER
                        .createObjectNode()
                        .put("status", status)
                        .put("via", session != null ? "session" : "token"));
            gateway
                .audit()
                .publish(CloudEvent.of(audit).source("/web").subject(audit.actor()).build())
                .onFailure(
                    e -> LOG.warn("audit event for {} {} lost: {}", method, path, e.toString()));
          });
    }
    ctx.next();
  }

  /** The whole API's OpenAPI document, merged from every module's fragment at start. */
  private void openApi(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(openApi);
  }

  private static void whoami(RoutingContext ctx) {
    Principal principal = ctx.get(PRINCIPAL);
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("name", principal.name()).put("role", principal.role()).encode());
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
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
