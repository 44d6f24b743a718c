package io.valentia.web.gateway;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.web.gateway.RolePool.Member;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.ProxyRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web role as the one entry point: requests for a role this process does not run are forwarded
 * (with {@code vertx-http-proxy}) to the processes that run it, taken in turn among those whose
 * {@code /health} answered last. A process that refuses the connection is skipped for the next;
 * when none answers the request gets a 503 naming the role, and {@code /health} shows {@value
 * #CHECK} naming it until one answers again. Requests are forwarded as they came (the process
 * checks the token again); the gateway adds {@code X-Forwarded-*} headers.
 *
 * <p>Runs on the event loop of the verticle that created it; {@link #close()} stops it. The
 * processes of each role, and which of them answer, are kept by a {@link RolePool}.
 */
public final class ApiGateway {
  private static final Logger LOG = LoggerFactory.getLogger(ApiGateway.class);

  /** The health check raised while a configured role has no process that answers. */
  public static final String CHECK = "SERVICE_UNREACHABLE";

  /** Set on a request's routing context (to {@code true}) once it went to another process. */
  public static final String FORWARDED = "valentia.gateway.forwarded";

  /** How long a health check may take at least. */
  private static final long CHECK_TIMEOUT_MS = 5000;

  /** Health checks in a row that time out before a process counts as down. */
  private static final int SLOW_CHECKS = 3;

  private final Vertx vertx;
  private final Upstreams upstreams;
  private final HealthRegistry health;
  private final Map<String, RolePool> pools = new LinkedHashMap<>();
  private final HttpClient client;
  private long timer = -1;

  /**
   * A role that runs elsewhere and the API paths it serves.
   *
   * @param role e.g. {@code chaos}
   * @param paths under {@code /api/v1}, e.g. {@code /halt}
   * @param signedPaths of {@code paths}, those that carry a signature instead of a token
   */
  public record RemoteRole(String role, List<String> paths, List<String> signedPaths) {
    public RemoteRole {
      paths = List.copyOf(paths);
      signedPaths = List.copyOf(signedPaths);
    }
  }

  /**
   * @param roles the roles this process forwards
   * @param upstreams where their processes are; a role without any gets a 503 at once
   * @param health where {@value #CHECK} is raised
   */
  public ApiGateway(
      Vertx vertx, List<RemoteRole> roles, Upstreams upstreams, HealthRegistry health) {
    this.vertx = vertx;
    this.upstreams = upstreams;
    this.health = health;
    for (RemoteRole role : roles) {
      pools.put(role.role(), new RolePool(role, upstreams.of(role.role())));
    }
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) upstreams.connectTimeout().toMillis())
                .setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(64));
  }

  /** The roles forwarded, with their paths. */
  public List<RemoteRole> roles() {
    return pools.values().stream().map(p -> p.role).toList();
  }

  /** Starts asking each process's {@code /health} every {@link Upstreams#checkInterval()}. */
  public void start() {
    checkAll();
    timer = vertx.setPeriodic(upstreams.checkInterval().toMillis(), t -> checkAll());
  }

  /** Stops the checks and closes the connections. */
  public Future<Void> close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    health.clear(CHECK);
    return client.close();
  }

  /**
   * Forwards the request to a process of {@code role}. The request must not have been read yet
   * (pause it before any asynchronous step).
   */
  public void forward(RoutingContext ctx, String role) {
    RolePool pool = pools.get(role);
    if (pool == null) {
      throw new IllegalArgumentException("no role " + role + " is forwarded");
    }
    ProxyRequest proxied = ProxyRequest.reverseProxy(ctx.request());
    String forwardedFor =
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    if (forwardedFor != null) {
      proxied.headers().set("X-Forwarded-For", forwardedFor);
    }
    proxied.headers().set("X-Forwarded-Proto", ctx.request().scheme());
    if (ctx.request().authority() != null) {
      // the client's Host, as a process behind a preserving proxy sees it: its origin check of a
      // browser's change compares Origin with it
      proxied.setAuthority(ctx.request().authority());
      proxied.headers().set("X-Forwarded-Host", ctx.request().authority().toString());
    }
    boolean stream =
        String.valueOf(ctx.request().getHeader(HttpHeaders.ACCEPT)).contains("text/event-stream");
    attempt(ctx, proxied, pool, pool.order(), 0, stream, new ArrayList<>());
  }

  private void attempt(
      RoutingContext ctx,
      ProxyRequest proxied,
      RolePool pool,
      List<Member> order,
      int index,
      boolean stream,
      List<String> failures) {
    if (index >= order.size()) {
      proxied.release();
      unreachable(ctx, pool, failures);
      return;
    }
    Member member = order.get(index);
    RequestOptions options =
        new RequestOptions()
            .setHost(member.host)
            .setPort(member.port)
            .setSsl(member.tls)
            .setConnectTimeout(upstreams.connectTimeout().toMillis())
            .setIdleTimeout(stream ? 0 : upstreams.answerTimeout().toMillis());
    client
        .request(options)
        .onSuccess(request -> send(ctx, proxied, pool, member, request))
        .onFailure(
            e -> {
              pool.down(member, e.toString());
              failures.add(member.uri + ": " + e.getMessage());
              attempt(ctx, proxied, pool, order, index + 1, stream, failures);
            });
  }

  private void send(
      RoutingContext ctx,
      ProxyRequest proxied,
      RolePool pool,
      Member member,
      HttpClientRequest out) {
    ctx.put(FORWARDED, true);
    proxied
        .send(out)
        .onSuccess(
            response -> {
              // the process's own headers (security headers included) replace the gateway's
              response.headers().names().forEach(n -> ctx.response().headers().remove(n));
              response
                  .send()
                  .onFailure(
                      e ->
                          LOG.debug(
                              "answer from {} for {} cut: {}",
                              member.uri,
                              ctx.normalizedPath(),
                              e));
            })
        .onFailure(
            e -> {
              LOG.warn(
                  "{} {} forwarded to {} failed: {}",
                  ctx.request().method(),
                  ctx.normalizedPath(),
                  member.uri,
                  e.toString());
              if (ctx.response().headWritten()) {
                ctx.response().reset();
                return;
              }
              boolean timeout = String.valueOf(e.getMessage()).toLowerCase().contains("timeout");
              if (!timeout) {
                // the connection broke: the process went away with the request; when it was the
                // last of its role, say so
                pool.down(member, e.toString());
                if (!pool.reachable()) {
                  unreachable(ctx, pool, List.of(member.uri + ": " + e));
                  return;
                }
              }
              error(
                  ctx,
                  timeout ? 504 : 502,
                  new JsonObject()
                      .put(
                          "error",
                          "the "
                              + pool.role.role()
                              + " role "
                              + (timeout ? "did not answer in time" : "failed to answer"))
                      .put("role", pool.role.role())
                      .put("upstream", member.uri.toString()));
            });
  }

  private void unreachable(RoutingContext ctx, RolePool pool, List<String> failures) {
    String role = pool.role.role();
    JsonObject body =
        new JsonObject()
            .put("error", "the " + role + " role is not reachable")
            .put("role", role)
            .put(
                "upstreams",
                new JsonArray(pool.members.stream().map(m -> m.uri.toString()).toList()));
    if (pool.members.isEmpty()) {
      body.put(
          "hint",
          "no process is configured for it: set http.upstreams."
              + role
              + " or --upstream "
              + role
              + "=http://HOST:PORT, or run the role in this process");
    } else {
      body.put("failures", new JsonArray(failures));
    }
    ctx.response().putHeader("Retry-After", "5");
    error(ctx, 503, body);
    report();
  }

  private static void error(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }

  private void checkAll() {
    List<Future<?>> checks = new ArrayList<>();
    for (RolePool pool : pools.values()) {
      for (Member member : pool.members) {
        if (!member.checking) {
          checks.add(check(pool, member));
        }
      }
    }
    Future.join(checks).onComplete(done -> report());
  }

  /**
   * Asks one process's {@code /health}. A refused or broken connection marks it down at once; a
   * slow answer only after {@link #SLOW_CHECKS} in a row (a busy process is not a gone one).
   */
  private Future<?> check(RolePool pool, Member member) {
    long timeout = Math.max(CHECK_TIMEOUT_MS, upstreams.checkInterval().toMillis() * 2);
    member.checking = true;
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(member.host)
                .setPort(member.port)
                .setSsl(member.tls)
                .setURI("/health")
                .setConnectTimeout(Math.min(timeout, upstreams.connectTimeout().toMillis()))
                .setIdleTimeout(timeout))
        .compose(request -> request.send())
        .compose(response -> response.body())
        .onSuccess(
            body -> {
              member.slowChecks = 0;
              pool.up(member);
            })
        .onFailure(
            e -> {
              boolean slow = String.valueOf(e.getMessage()).toLowerCase().contains("timeout");
              if (!slow || ++member.slowChecks >= SLOW_CHECKS) {
                pool.down(member, e.toString());
              }
            })
        .onComplete(done -> member.checking = false);
  }

  /** Raises or clears {@value #CHECK} from what the processes last answered. */
  private void report() {
    List<String> unreachable = new ArrayList<>();
    List<String> detail = new ArrayList<>();
    for (RolePool pool : pools.values()) {
      if (!pool.members.isEmpty() && !pool.reachable()) {
        unreachable.add(pool.role.role());
        for (Member member : pool.members) {
          detail.add(pool.role.role() + ": " + member.uri + " does not answer: " + member.failure);
        }
      }
    }
    if (unreachable.isEmpty()) {
      health.clear(CHECK);
      return;
    }
    String summary =
        unreachable.size() == 1
            ? "the " + unreachable.get(0) + " role is not reachable"
            : unreachable.size() + " roles are not reachable: " + String.join(", ", unreachable);
    // a warning: this process is well and serves everything else, so a load balancer asking its
    // /health must not take it out of service for another process's sake
    health.raise(CHECK, new HealthCheck(HealthReport.WARN, summary, detail));
  }
}
