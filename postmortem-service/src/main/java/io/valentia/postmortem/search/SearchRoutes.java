package io.valentia.postmortem.search;

import io.valentia.eventbus.EventCodec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events/search}: parameters {@code q} (Lucene query syntax), {@code from} and
 * {@code to} (ISO-8601 instants; {@code to} exclusive), {@code facet} (comma-separated dimensions,
 * repeatable; {@code none} for no counts; default all), {@code size} (1 to 1000, default 20),
 * {@code sort} ({@code newest}, {@code oldest}, {@code relevance}) and {@code cursor} (the previous
 * page's {@code nextCursor}). A bad parameter or query is a 400 with the reason; searches run on a
 * worker thread.
 */
public final class SearchRoutes {
  public static final String PATH = "/events/search";
  private static final Logger LOG = LoggerFactory.getLogger(SearchRoutes.class);

  private SearchRoutes() {}

  /** The router to mount at {@code path}, answering GET on its root. */
  public static Router router(Vertx vertx, IndexSearch search) {
    Router router = Router.router(vertx);
    router.get().handler(ctx -> respond(vertx, search, ctx));
    return router;
  }

  /**
   * Answers {@code ctx} with a search of {@code search} by the request's query parameters; for
   * other routers that serve a search (e.g. {@code /postmortems/search}).
   */
  public static void respond(Vertx vertx, IndexSearch search, RoutingContext ctx) {
    SearchRequest request;
    try {
      request = request(ctx);
    } catch (BadQueryException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    vertx
        .executeBlocking(() -> EventCodec.MAPPER.writeValueAsString(search.search(request)))
        .onSuccess(
            body ->
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body))
        .onFailure(
            e -> {
              if (e instanceof BadQueryException) {
                error(ctx, 400, e.getMessage());
              } else {
                LOG.warn("search failed", e);
                error(ctx, 500, "search failed: " + e.getMessage());
              }
            });
  }

  /** The request the query parameters describe. */
  static SearchRequest request(RoutingContext ctx) {
    List<String> facets = null;
    List<String> facetParams = ctx.queryParam("facet");
    if (!facetParams.isEmpty()) {
      facets = new ArrayList<>();
      for (String param : facetParams) {
        for (String dim : param.split(",")) {
          if (!dim.isBlank() && !dim.strip().equals("none")) {
            facets.add(dim.strip());
          }
        }
      }
    }
    return new SearchRequest(
        single(ctx, "q"),
        instant(ctx, "from"),
        instant(ctx, "to"),
        facets,
        size(single(ctx, "size")),
        single(ctx, "sort") == null ? null : SearchRequest.Order.parse(single(ctx, "sort")),
        single(ctx, "cursor"));
  }

  private static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.size() > 1) {
      throw new BadQueryException(name + " may be given once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  private static Instant instant(RoutingContext ctx, String name) {
    String value = single(ctx, name);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new BadQueryException(
          name + " must be an ISO-8601 instant such as 2026-11-29T04:00:00Z, found " + value);
    }
  }

  private static int size(String value) {
    if (value == null) {
      return SearchRequest.DEFAULT_SIZE;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new BadQueryException("size must be an integer, found " + value);
    }
  }

  static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  /** For documentation: every parameter this route reads. */
  public static final List<String> PARAMETERS =
      Arrays.asList("q", "from", "to", "facet", "size", "sort", "cursor");
}
