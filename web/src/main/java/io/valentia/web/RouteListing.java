package io.valentia.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routes a router answers under {@code /api/v1} and at {@code /health}, for the OpenAPI check.
 */
final class RouteListing {
  private RouteListing() {}

  /**
   * Every route of {@code router} under {@code /api/v1} and at {@code /health}, sub-routers
   * included, as {@code METHOD /path} with OpenAPI's {@code {name}} for a path parameter ({@code
   * ANY} for a route of every method), sorted.
   */
  static List<String> apiRoutes(Router router) {
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
}
