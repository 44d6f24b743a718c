package io.valentia.notifications.api;

import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The role check made again where the action happens: the web gateway checks every request, and the
 * notification routes check once more, so that a route reached some other way is not an open door.
 * The roles and their order are {@link Role}'s.
 */
public final class Roles {
  private Roles() {}

  /** Whether {@code role} is at least {@code needed}. */
  public static boolean atLeast(String role, String needed) {
    Role required = Role.parse(needed).orElseThrow(() -> new IllegalArgumentException(needed));
    return Role.parse(role).map(r -> r.atLeast(required)).orElse(false);
  }

  /**
   * Whether the request's principal has at least {@code needed}; if not, answers 403 and returns
   * false.
   */
  public static boolean require(RoutingContext ctx, String needed) {
    String role = ctx.get(ApiRoutes.PRINCIPAL_ROLE);
    if (atLeast(role, needed)) {
      return true;
    }
    Json.error(
        ctx,
        role == null ? 401 : 403,
        role == null
            ? "a valid API token is required"
            : "the " + role + " role may not do this (needs " + needed + ")");
    return false;
  }

  /** The name of the request's principal, or {@code anonymous}. */
  public static String principal(RoutingContext ctx) {
    Object name = ctx.get(ApiRoutes.PRINCIPAL_NAME);
    return name == null ? "anonymous" : name.toString();
  }

  /** Answers in JSON. */
  public static final class Json {
    private Json() {}

    public static void error(RoutingContext ctx, int status, String message) {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", message).encode());
    }

    public static void ok(RoutingContext ctx, int status, String json) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json);
    }
  }
}
