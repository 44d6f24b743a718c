package io.valentia.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/**
 * The browser pages and their static files from the jar: {@code /NAME} for each of {@link #PAGES},
 * the WebJars under {@code /webjars}, everything else from {@code webroot}. Not cached.
 */
final class PageRoutes {
  /** Pages served at {@code /NAME} from {@code webroot/NAME.html}. */
  static final List<String> PAGES =
      List.of(
          "live", "experiments", "incidents", "postmortems", "search", "notifications", "login");

  private PageRoutes() {}

  /** Adds the routes to {@code router}, after every API route (the last one takes any GET). */
  static void mount(Router router) {
    for (String page : PAGES) {
      router.get("/" + page).handler(ctx -> ctx.reroute("/" + page + ".html"));
    }
    router
        .get("/webjars/*")
        .handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(false));
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
  }
}
