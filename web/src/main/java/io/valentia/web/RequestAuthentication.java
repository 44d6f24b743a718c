package io.valentia.web;

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
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;

/**
 * The authentication of an API request: who it comes from (a bearer token, else the session
 * cookie), whether the role may do what it asks, and, for a change made with a session, whether it
 * carries the session's CSRF token and comes from this site's origin. Failed tokens and refusals
 * are counted and throttled ({@link AuthFailures}). On success the principal is put on the routing
 * context ({@link AccessApi#PRINCIPAL}, {@link ApiRoutes#PRINCIPAL_NAME}, {@link
 * ApiRoutes#PRINCIPAL_ROLE}, and {@link AccessApi#SESSION} for a session) and the request passed
 * on.
 */
final class RequestAuthentication {
  /**
   * How long a role's own server keeps asking its tables for a token or session it does not know
   * yet: one made a moment ago at the gateway reaches this process's copy a little later.
   */
  static final long LATE_CREDENTIALS_MS = 2000;

  private final Vertx vertx;
  private final ApiAuthenticator authenticator;
  private final Sessions sessions;
  private final ClientAddress client;
  private final OriginCheck origins;
  private final AuthFailures failures;
  private final boolean waitForLateCredentials;

  /**
   * @param sessions browser sessions; null: tokens only
   * @param waitForLateCredentials whether credentials not known yet are asked for again for {@link
   *     #LATE_CREDENTIALS_MS} (a role's own server) rather than refused at once (the entry point)
   */
  RequestAuthentication(
      Vertx vertx,
      ApiAuthenticator authenticator,
      Sessions sessions,
      ClientAddress client,
      OriginCheck origins,
      AuthFailures failures,
      boolean waitForLateCredentials) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.sessions = sessions;
    this.client = client;
    this.origins = origins;
    this.failures = failures;
    this.waitForLateCredentials = waitForLateCredentials;
  }

  /** The route handler. */
  void handle(RoutingContext ctx) {
    authenticate(
        ctx, waitForLateCredentials ? System.nanoTime() + LATE_CREDENTIALS_MS * 1_000_000 : 0);
  }

  /**
   * Like {@link #handle(RoutingContext)}; credentials not known yet are asked for again until
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
    if (principal.isEmpty() && sessions != null) {
      session = cookie == null ? null : sessions.find(cookie.getValue()).orElse(null);
      principal = Optional.ofNullable(session).map(Sessions.Session::principal);
    }
    boolean credentials = bearer || (cookie != null && sessions != null);
    if (principal.isEmpty() && credentials && lateUntil != 0 && System.nanoTime() < lateUntil) {
      vertx.setTimer(100, t -> authenticate(ctx, lateUntil));
      return;
    }
    if (tokenFailed) {
      failures.tokenFailed(address);
    }
    if (principal.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"valentia\"");
      WebVerticle.error(
          ctx, 401, "a valid API token is required (Authorization: Bearer TOKEN) or a login");
      return;
    }
    Principal who = principal.get();
    ctx.put(AccessApi.PRINCIPAL, who);
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
      WebVerticle.error(
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
      WebVerticle.error(
          ctx, 403, "a change made with a login needs the session's " + Sessions.CSRF_HEADER);
      return;
    }
    if (session != null
        && RolePolicy.isMutation(ctx.request().method())
        && !origins.allows(ctx.request())) {
      failures.refused(who, address);
      WebVerticle.error(
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
}
