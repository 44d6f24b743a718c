package io.valentia.web.auth;

import io.valentia.eventbus.service.Role;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The access routes under {@code /api/v1}:
 *
 * <ul>
 *   <li>{@code POST /session} {@code {"token": "..."}}: browser login; sets the session cookie and
 *       answers the principal and its {@code csrfToken} (no authentication needed);
 *   <li>{@code GET /session}: the principal and CSRF token of the current session;
 *   <li>{@code DELETE /session}: logout;
 *   <li>{@code POST /tokens} {@code {"name": "...", "role": "viewer"}}: a new token, shown once
 *       (admin);
 *   <li>{@code GET /tokens}: every token without its secret (admin);
 *   <li>{@code DELETE /tokens/:id}: revoke (admin);
 *   <li>{@code GET /sessions} ({@code ?principal=NAME}): the live browser sessions without their
 *       secrets (admin);
 *   <li>{@code DELETE /sessions/:id}: end one session (admin); {@code DELETE
 *       /sessions?principal=NAME}: end all of a principal's (admin).
 * </ul>
 *
 * A failed login counts against the client's address in {@link AuthFailures}; while the address is
 * throttled, logins from it are answered 429 with {@code Retry-After}.
 */
public final class AccessApi {
  /** The routing-context key of the session a request came with, when it came with one. */
  public static final String SESSION = "valentia.session";

  private final ApiAuthenticator authenticator;
  private final TokenStore tokens;
  private final Sessions sessions;
  private final ClientAddress client;
  private final AuthFailures failures;

  /**
   * @param tokens the tokens behind {@code /tokens}; null when they are not served
   * @param sessions the browser sessions; null when there is no login
   * @param client who the client is and whether it came over TLS (the cookie's {@code Secure})
   * @param failures where failed logins are counted
   */
  public AccessApi(
      ApiAuthenticator authenticator,
      TokenStore tokens,
      Sessions sessions,
      ClientAddress client,
      AuthFailures failures) {
    this.authenticator = authenticator;
    this.tokens = tokens;
    this.sessions = sessions;
    this.client = client;
    this.failures = failures;
  }

  /** {@code POST /api/v1/session}: log in with a token. */
  public void login(RoutingContext ctx) {
    String address = client.of(ctx.request());
    Duration throttled = failures.addressThrottled(address);
    if (!throttled.isZero()) {
      tooMany(ctx, throttled, "too many failed logins from " + address);
      return;
    }
    JsonObject body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    Optional<Principal> principal =
        body.getValue("token") instanceof String token
            ? authenticator.authenticateToken(token.trim())
            : Optional.empty();
    if (principal.isEmpty()) {
      failures.tokenFailed(address);
      error(ctx, 401, "that token is not valid");
      return;
    }
    String userAgent = ctx.request().getHeader("User-Agent");
    ctx.vertx()
        .executeBlocking(() -> sessions.create(principal.get(), address, userAgent), false)
        .onSuccess(
            session -> {
              if (ctx.response().ended()) {
                return; // answered 503 already; the unused session ends at its idle time
              }
              ctx.put(SESSION, session);
              Cookie cookie =
                  Cookie.cookie(Sessions.COOKIE, session.id())
                      .setPath("/")
                      .setHttpOnly(true)
                      .setSameSite(CookieSameSite.STRICT)
                      .setSecure(client.secure(ctx.request()));
              ctx.response().addCookie(cookie);
              ok(ctx, 200, sessionJson(session));
            })
        .onFailure(e -> error(ctx, 500, e.getMessage()));
  }

  /** {@code GET /api/v1/session}. */
  public void session(RoutingContext ctx) {
    Sessions.Session session = ctx.get(SESSION);
    if (session == null) {
      Principal principal = ctx.get(PRINCIPAL);
      ok(
          ctx,
          200,
          new JsonObject()
              .put("name", principal.name())
              .put("role", principal.role())
              .putNull("csrfToken"));
      return;
    }
    ok(ctx, 200, sessionJson(session));
  }

  /** {@code DELETE /api/v1/session}. */
  public void logout(RoutingContext ctx) {
    Sessions.Session session = ctx.get(SESSION);
    Future<Boolean> ended =
        session == null || sessions == null
            ? Future.succeededFuture(false)
            : ctx.vertx().executeBlocking(() -> sessions.end(session.id()), false);
    ended
        .onSuccess(
            any -> {
              if (ctx.response().ended()) {
                return; // answered 503 already (the logout may still have been written)
              }
              ctx.response()
                  .addCookie(
                      Cookie.cookie(Sessions.COOKIE, "")
                          .setPath("/")
                          .setHttpOnly(true)
                          .setSameSite(CookieSameSite.STRICT)
                          .setMaxAge(0));
              noContent(ctx);
            })
        .onFailure(e -> error(ctx, 500, e.getMessage()));
  }

  /** {@code POST /api/v1/tokens}. */
  public void createToken(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    String name = body.getValue("name") instanceof String s ? s : null;
    Optional<Role> role =
        body.getValue("role") instanceof String r ? Role.parse(r) : Optional.empty();
    if (role.isEmpty()) {
      error(ctx, 400, "role must be viewer, responder, operator or admin");
      return;
    }
    Principal creator = ctx.get(PRINCIPAL);
    ctx.vertx()
        .executeBlocking(() -> tokens.create(name, role.get(), creator.name()), false)
        .onSuccess(
            created ->
                ok(
                    ctx,
                    201,
                    describe(created.stored())
                        .put("token", created.token())
                        .put("note", "the token is shown only this once")))
        .onFailure(
            e -> error(ctx, e instanceof IllegalArgumentException ? 400 : 500, e.getMessage()));
  }

  /** {@code GET /api/v1/tokens}. */
  public void listTokens(RoutingContext ctx) {
    JsonArray list = new JsonArray();
    tokens.list().forEach(t -> list.add(describe(t)));
    ok(ctx, 200, new JsonObject().put("tokens", list));
  }

  /** {@code DELETE /api/v1/tokens/:id}: the token and every browser session made with it end. */
  public void revokeToken(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    ctx.vertx()
        .executeBlocking(
            () -> {
              boolean revoked = tokens.revoke(id);
              if (revoked && sessions != null) {
                sessions.endMadeWith(id);
              }
              return revoked;
            },
            false)
        .onSuccess(
            revoked -> {
              if (revoked) {
                noContent(ctx);
              } else {
                error(ctx, 404, "no live token with id " + id);
              }
            })
        .onFailure(e -> error(ctx, 500, e.getMessage()));
  }

  /** {@code GET /api/v1/sessions}: the live sessions, of one principal with {@code principal}. */
  public void listSessions(RoutingContext ctx) {
    JsonArray list = new JsonArray();
    sessions
        .list(ctx.request().getParam("principal"))
        .forEach(
            s ->
                list.add(
                    new JsonObject()
                        .put("id", s.key())
                        .put("principal", s.name())
                        .put("role", s.role())
                        .put("tokenId", s.tokenId())
                        .put("created", text(s.created()))
                        .put("lastSeen", text(s.lastSeen()))
                        .put("expires", text(s.expires()))
                        .put("address", s.address())
                        .put("userAgent", s.userAgent())));
    ok(ctx, 200, new JsonObject().put("sessions", list));
  }

  /** {@code DELETE /api/v1/sessions/:id}: ends one session, on every web process. */
  public void endSession(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    ctx.vertx()
        .executeBlocking(() -> sessions.endByKey(id), false)
        .onSuccess(
            ended -> {
              if (ended) {
                noContent(ctx);
              } else {
                error(ctx, 404, "no live session with id " + id);
              }
            })
        .onFailure(e -> error(ctx, 500, e.getMessage()));
  }

  /** {@code DELETE /api/v1/sessions?principal=NAME}: ends every session of a principal. */
  public void endSessionsOf(RoutingContext ctx) {
    String principal = ctx.request().getParam("principal");
    if (principal == null || principal.isBlank()) {
      error(ctx, 400, "name whose sessions to end: ?principal=NAME (or DELETE /sessions/ID)");
      return;
    }
    ctx.vertx()
        .executeBlocking(() -> sessions.endOf(principal), false)
        .onSuccess(n -> ok(ctx, 200, new JsonObject().put("principal", principal).put("ended", n)))
        .onFailure(e -> error(ctx, 500, e.getMessage()));
  }

  /** Answers 429 with {@code Retry-After}. */
  public static void tooMany(RoutingContext ctx, Duration wait, String why) {
    long seconds = AuthFailures.retryAfterSeconds(wait);
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    error(ctx, 429, why + "; try again in " + seconds + " s");
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** The routing-context key of the authenticated {@link Principal}. */
  public static final String PRINCIPAL = "valentia.principal";

  private static JsonObject describe(TokenStore.StoredToken token) {
    return new JsonObject()
        .put("id", token.id())
        .put("name", token.name())
        .put("role", token.role())
        .put("created", token.created().toString())
        .put("createdBy", token.createdBy())
        .put("revoked", token.revoked() == null ? null : token.revoked().toString());
  }

  private static JsonObject sessionJson(Sessions.Session session) {
    return new JsonObject()
        .put("name", session.principal().name())
        .put("role", session.principal().role())
        .put("csrfToken", session.csrfToken())
        .put("expires", session.expires().toString());
  }

  /** The body as a JSON object; null after answering 400/415 when it is not one. */
  private static JsonObject jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      error(ctx, 415, "send JSON (Content-Type: application/json)");
      return null;
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException e) {
      // answered below
    }
    error(ctx, 400, "the body must be a JSON object");
    return null;
  }

  private static void noContent(RoutingContext ctx) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(204).end();
    }
  }

  private static void ok(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return; // answered 503 already: Kafka took longer than http.kafka-wait
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return; // answered 503 already: Kafka took longer than http.kafka-wait
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
