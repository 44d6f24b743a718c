package io.valentia.postmortem.store;

import static io.valentia.postmortem.store.JsonAnswers.error;
import static io.valentia.postmortem.store.JsonAnswers.full;
import static io.valentia.postmortem.store.JsonAnswers.head;
import static io.valentia.postmortem.store.JsonAnswers.number;
import static io.valentia.postmortem.store.JsonAnswers.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of {@code /api/v1/postmortems} and the reads among them: {@code GET /} lists, {@code
 * GET /search} searches, {@code GET /:id} shows, {@code GET /:id/revisions}, {@code
 * /:id/revisions/:n} and {@code /:id/compare?from=&to=} read the history (from disk, on a worker),
 * {@code GET /:id/export?format=markdown|json} exports. Changes are {@link PostmortemChanges}',
 * reviews {@link PostmortemReviews}'. Bodies up to 1 MiB.
 */
final class PostmortemApi {
  private static final Logger LOG = LoggerFactory.getLogger(PostmortemApi.class);

  private final Vertx vertx;
  private final PostmortemStore store;
  private final StateTable<PostmortemHead> heads;
  private final RevisionIndex revisions;
  private final IndexSearch search;
  private final PostmortemChanges changes;
  private final PostmortemReviews reviews;

  /**
   * @param heads every postmortem's head (the list)
   * @param revisions every revision on disk (the history)
   * @param search searches over the postmortems index
   */
  PostmortemApi(
      Vertx vertx,
      PostmortemStore store,
      StateTable<PostmortemHead> heads,
      RevisionIndex revisions,
      IndexSearch search,
      PostmortemChanges changes,
      PostmortemReviews reviews) {
    this.vertx = vertx;
    this.store = store;
    this.heads = heads;
    this.revisions = revisions;
    this.search = search;
    this.changes = changes;
    this.reviews = reviews;
  }

  /** The routes to mount at {@link PostmortemVerticle#PATH}. */
  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.get("/search").handler(ctx -> SearchRoutes.respond(vertx, search, ctx));
    router.get("/").handler(this::list);
    router.post("/").handler(changes::create);
    router.post("/review").handler(reviews::lint);
    router.get("/:id").handler(this::show);
    router.put("/:id").handler(changes::revise);
    router.post("/:id/status").handler(changes::status);
    router.get("/:id/revisions").handler(this::revisions);
    router.get("/:id/revisions/:n").handler(this::revision);
    router.get("/:id/compare").handler(this::compare);
    router.get("/:id/review").handler(reviews::review);
    router.get("/:id/export").handler(this::export);
    return router;
  }

  private void list(RoutingContext ctx) {
    ArrayNode all = EventCodec.MAPPER.createArrayNode();
    heads.snapshot().values().forEach(h -> all.add(PostmortemDocuments.summary(h)));
    ok(ctx, 200, EventCodec.MAPPER.createObjectNode().set("postmortems", all));
  }

  private void show(RoutingContext ctx) {
    head(ctx, store).ifPresent(h -> ok(ctx, 200, full(h, h.revision(), h.document())));
  }

  private void revisions(RoutingContext ctx) {
    head(ctx, store)
        .ifPresent(
            h ->
                blocking(
                    ctx,
                    () -> {
                      ArrayNode list = EventCodec.MAPPER.createArrayNode();
                      for (RevisionEntry r : revisions.entries(h.id(), 1, Integer.MAX_VALUE)) {
                        ObjectNode node = list.addObject();
                        node.put("revision", r.revision());
                        node.put("author", r.author());
                        node.put("time", r.time().toString());
                        node.put("action", r.action());
                        node.put("status", r.status());
                        node.set("sections", EventCodec.MAPPER.valueToTree(r.sections()));
                        node.put("note", r.note());
                        node.put("eventId", r.eventId());
                      }
                      ObjectNode body = EventCodec.MAPPER.createObjectNode();
                      body.put("id", h.id());
                      body.set("revisions", list);
                      return body;
                    }));
  }

  private void revision(RoutingContext ctx) {
    head(ctx, store)
        .ifPresent(
            h -> {
              Integer n = number(ctx, ctx.pathParam("n"), "revision");
              if (n == null) {
                return;
              }
              blocking(ctx, () -> full(h, n, at(h, n)));
            });
  }

  private void compare(RoutingContext ctx) {
    head(ctx, store)
        .ifPresent(
            h -> {
              Integer from = number(ctx, ctx.queryParams().get("from"), "from");
              Integer to =
                  from == null
                      ? null
                      : ctx.queryParams().get("to") == null
                          ? Integer.valueOf(h.revision())
                          : number(ctx, ctx.queryParams().get("to"), "to");
              if (from == null || to == null) {
                return;
              }
              blocking(
                  ctx,
                  () -> {
                    ObjectNode body = EventCodec.MAPPER.createObjectNode();
                    body.put("id", h.id());
                    body.put("from", from);
                    body.put("to", to);
                    body.set(
                        "sections",
                        EventCodec.MAPPER.valueToTree(
                            PostmortemSections.compare(at(h, from), at(h, to))));
                    return body;
                  });
            });
  }

  /**
   * The document as of revision {@code n} of {@code h}, read from disk.
   *
   * @throws PostmortemNotFoundException when there is no such revision
   */
  private Postmortem at(PostmortemHead h, int n) {
    if (n == h.revision()) {
      return h.document();
    }
    return revisions
        .document(h.id(), n)
        .orElseThrow(
            () ->
                new PostmortemNotFoundException(
                    "postmortem " + h.id() + " has revisions 1 to " + h.revision() + ", not " + n));
  }

  /** Answers with what {@code read} (blocking) returns; a missing revision is a 404. */
  private void blocking(RoutingContext ctx, Callable<JsonNode> read) {
    vertx
        .executeBlocking(read)
        .onSuccess(body -> ok(ctx, 200, body))
        .onFailure(
            e -> {
              if (e instanceof PostmortemNotFoundException) {
                error(ctx, 404, e.getMessage());
              } else {
                LOG.warn("reading the revisions of {} failed", ctx.pathParam("id"), e);
                error(ctx, 500, "could not read the revisions: " + e.getMessage());
              }
            });
  }

  private void export(RoutingContext ctx) {
    head(ctx, store)
        .ifPresent(
            h -> {
              String format = ctx.queryParams().get("format");
              if (format == null || format.equals("markdown") || format.equals("md")) {
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/markdown; charset=utf-8")
                    .end(MarkdownPostmortem.render(h.document()));
              } else if (format.equals("json")) {
                ok(ctx, 200, EventCodec.MAPPER.valueToTree(h.document()));
              } else {
                error(ctx, 400, "format must be markdown or json, found " + format);
              }
            });
  }
}
