package io.valentia.web.auth;

import io.valentia.eventbus.service.Role;
import io.vertx.core.http.HttpMethod;

/**
 * Which role a request under {@code /api/v1} needs. Reading ({@code GET}, {@code HEAD}) needs
 * {@link Role#VIEWER}, except tokens and sessions (admin). Changes need: {@code halt}, {@code
 * experiments}, {@code schedules}, {@code leases}, {@code notifications} (a test message), {@code
 * events} (publishing CloudEvents over HTTP): operator; {@code postmortems}, {@code incidents},
 * {@code health}, {@code silences}, {@code alertmanager} (alerts from Prometheus): responder;
 * {@code session} (logout): viewer; {@code tokens}, {@code sessions}, {@code routes} and anything
 * not named here: admin. The same rules hold for routes other services mount.
 */
public final class RolePolicy {
  private RolePolicy() {}

  /** Whether {@code method} changes something (and so is audited and needs a CSRF token). */
  public static boolean isMutation(HttpMethod method) {
    return !(HttpMethod.GET.equals(method)
        || HttpMethod.HEAD.equals(method)
        || HttpMethod.OPTIONS.equals(method));
  }

  /**
   * The role needed for {@code method} on {@code path}.
   *
   * @param path the request path, starting with {@code /api/v1/}
   */
  public static Role required(HttpMethod method, String path) {
    String resource = resource(path);
    if (resource.equals("tokens") || resource.equals("sessions")) {
      return Role.ADMIN;
    }
    if (!isMutation(method)) {
      return Role.VIEWER;
    }
    return switch (resource) {
      case "session" -> Role.VIEWER;
      case "postmortems", "incidents", "health", "silences", "alertmanager" -> Role.RESPONDER;
      case "halt", "experiments", "schedules", "leases", "notifications", "events" -> Role.OPERATOR;
      default -> Role.ADMIN;
    };
  }

  /** The first segment after {@code /api/v1/}. */
  public static String resource(String path) {
    String rest = path.startsWith("/api/v1/") ? path.substring("/api/v1/".length()) : "";
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
