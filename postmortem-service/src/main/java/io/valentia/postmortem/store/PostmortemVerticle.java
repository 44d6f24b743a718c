package io.valentia.postmortem.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventIndex;
import io.valentia.postmortem.review.BlamelessReview;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchPage;
import io.valentia.postmortem.search.SearchRequest;
import io.valentia.postmortem.search.SearchRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The postmortem store: serves {@code /api/v1/postmortems}. Each postmortem's head (latest document
 * and revision) is in {@code valentia.state.postmortems}, restored at start; every revision stays
 * on {@code valentia.postmortems} and on disk in {@code DATA/postmortem/postmortem-revisions}
 * ({@link RevisionIndex}), and the latest documents are searchable in {@code
 * DATA/postmortem/postmortems-index}. {@link PostmortemLog} applies the log, resuming where its
 * last commit ended. A change is a revision event published on the log; the answer waits until the
 * log has taken it, so what a client reads back is what every process sees. Lucene and Kafka work
 * runs off the event loop.
 */
public final class PostmortemVerticle extends VerticleBase {
  public static final String PATH = "/postmortems";
  private static final Logger LOG = LoggerFactory.getLogger(PostmortemVerticle.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir;
  private final KafkaSettings kafka;
  private final KafkaEventPublisher publisher;
  private final IndexSearch events;
  private final Function<String, Future<JsonObject>> incidents;
  private final StateTables stateTables;
  private final Consumer<String> console;
  private EventIndex index;
  private RevisionIndex revisions;
  private StateTable<PostmortemHead> heads;
  private PostmortemStore store;
  private PostmortemLog log;
  private IndexSearch search;

  /**
   * @param dir the postmortems index directory
   * @param events searches the events index (for drafting timelines and checking evidence)
   * @param incidents the incident with an id as the incidents API shows it, or null
   * @param stateTables the process's state tables (the heads are {@code
   *     valentia.state.postmortems})
   * @param console where the one-time migration's progress lines go
   */
  public PostmortemVerticle(
      Path dir,
      KafkaSettings kafka,
      KafkaEventPublisher publisher,
      IndexSearch events,
      Function<String, Future<JsonObject>> incidents,
      StateTables stateTables,
      Consumer<String> console) {
    this.dir = dir;
    this.kafka = kafka;
    this.publisher = publisher;
    this.events = events;
    this.incidents = incidents;
    this.stateTables = stateTables;
    this.console = console;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(
        () -> {
          heads = stateTables.open(Topics.STATE_POSTMORTEMS, PostmortemHead.class);
          index = EventIndex.open(dir, new EventAnalyzer());
          revisions = RevisionIndex.open(dir.resolveSibling(RevisionIndex.DIRECTORY));
          search = new IndexSearch(index, PostmortemDocuments.FACETS);
          heads.restored().get(2, TimeUnit.MINUTES);
          store = new PostmortemStore(heads::get);
          log = new PostmortemLog(kafka, index, revisions, heads, store);
          log.migrate(new StateMigration(stateTables, console));
          log.start().get(2, TimeUnit.MINUTES);
          return null;
        });
  }

  /** The store; valid once started. */
  public PostmortemStore store() {
    return store;
  }

  /** Every revision on disk; valid once started. */
  public RevisionIndex revisions() {
    return revisions;
  }

  /** The reader of the log; valid once started. */
  public PostmortemLog log() {
    return log;
  }

  /** Searches over the postmortems index; valid once started. */
  public IndexSearch search() {
    return search;
  }

  /** The routes to mount at {@link #PATH}. */
  public Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.get("/search").handler(ctx -> SearchRoutes.respond(vertx, search, ctx));
    router.get("/").handler(this::list);
    router.post("/").handler(this::create);
    router.post("/review").handler(this::lint);
    router.get("/:id").handler(this::show);
    router.put("/:id").handler(this::revise);
    router.post("/:id/status").handler(this::status);
    router.get("/:id/revisions").handler(this::revisions);
    router.get("/:id/revisions/:n").handler(this::revision);
    router.get("/:id/compare").handler(this::compare);
    router.get("/:id/review").handler(this::review);
    router.get("/:id/export").handler(this::export);
    return router;
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  private void list(RoutingContext ctx) {
    ArrayNode all = EventCodec.MAPPER.createArrayNode();
    heads.snapshot().values().forEach(h -> all.add(PostmortemDocuments.summary(h)));
    ok(ctx, 200, EventCodec.MAPPER.createObjectNode().set("postmortems", all));
  }

  private void show(RoutingContext ctx) {
    head(ctx).ifPresent(h -> ok(ctx, 200, full(h, h.revision(), h.document())));
  }

  private void revisions(RoutingContext ctx) {
    head(ctx)
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
    head(ctx)
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
    head(ctx)
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
    head(ctx)
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

  private void review(RoutingContext ctx) {
    Optional<PostmortemHead> found = head(ctx);
    if (found.isEmpty()) {
      return;
    }
    remarks(found.get().document())
        .onSuccess(
            problems -> {
              ObjectNode body = EventCodec.MAPPER.createObjectNode();
              body.put("id", found.get().id());
              body.put("revision", found.get().revision());
              body.set("problems", EventCodec.MAPPER.valueToTree(problems));
              ok(ctx, 200, body);
            })
        .onFailure(e -> error(ctx, 500, "review failed: " + e.getMessage()));
  }

  /**
   * The review of text not saved yet: {@code {"document": {sections}, "id": "..."}}; the sections
   * given replace those of postmortem {@code id} when it is given, of an empty draft otherwise.
   * Changes nothing.
   */
  private void lint(RoutingContext ctx) {
    JsonNode body = body(ctx);
    if (body == null) {
      return;
    }
    Postmortem base = PostmortemSections.EMPTY;
    String id = body.path("id").asText("");
    if (!id.isEmpty()) {
      Optional<PostmortemHead> h = store().get(id);
      if (h.isEmpty()) {
        error(ctx, 404, "no postmortem " + id);
        return;
      }
      base = h.get().document();
    }
    Postmortem draft;
    try {
      draft =
          PostmortemSections.merge(
              base,
              body.has("document") ? body.path("document") : EventCodec.MAPPER.createObjectNode());
    } catch (InvalidPostmortemException e) {
      error(ctx, 400, e.getMessage(), e.problems());
      return;
    }
    remarks(draft)
        .onSuccess(
            problems -> {
              ObjectNode answer = EventCodec.MAPPER.createObjectNode();
              answer.set("problems", EventCodec.MAPPER.valueToTree(problems));
              ok(ctx, 200, answer);
            })
        .onFailure(e -> error(ctx, 500, "review failed: " + e.getMessage()));
  }

  /** The blameless review of {@code p} and the evidence it cites that the record does not hold. */
  private Future<List<BlamelessReview.Problem>> remarks(Postmortem p) {
    return vertx.executeBlocking(
        () -> {
          List<BlamelessReview.Problem> problems = new ArrayList<>(new BlamelessReview().review(p));
          problems.addAll(unknownEvidence(p));
          return problems;
        });
  }

  /** Testimonies and findings that cite event ids the events index does not hold. */
  private List<BlamelessReview.Problem> unknownEvidence(Postmortem p) {
    Set<String> cited = new LinkedHashSet<>();
    p.testimonies().forEach(t -> cited.addAll(t.evidence()));
    p.findings().forEach(f -> cited.addAll(f.evidence()));
    if (cited.isEmpty()) {
      return List.of();
    }
    StringJoiner query = new StringJoiner(" OR ");
    cited.forEach(id -> query.add("id:\"" + id.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    SearchPage page =
        events.search(
            new SearchRequest(
                query.toString(),
                null,
                null,
                List.of(),
                Math.min(cited.size(), SearchRequest.MAX_SIZE),
                SearchRequest.Order.OLDEST,
                null));
    Set<String> known = new LinkedHashSet<>();
    page.hits().forEach(h -> known.add(h.id()));
    List<BlamelessReview.Problem> problems = new ArrayList<>();
    for (int i = 0; i < p.testimonies().size(); i++) {
      for (String id : p.testimonies().get(i).evidence()) {
        if (!known.contains(id)) {
          problems.add(unknown("testimonies[" + i + "]", id));
        }
      }
    }
    for (int i = 0; i < p.findings().size(); i++) {
      for (String id : p.findings().get(i).evidence()) {
        if (!known.contains(id)) {
          problems.add(unknown("findings[" + i + "]", id));
        }
      }
    }
    return problems;
  }

  private static BlamelessReview.Problem unknown(String where, String id) {
    return new BlamelessReview.Problem(
        "unknown-evidence",
        where,
        id,
        "it cites an event the record does not hold, so the claim cannot be checked",
        "cite the id of an event found by search, or drop the citation");
  }

  // ---------------------------------------------------------------------------------------------
  // changes

  private void create(RoutingContext ctx) {
    JsonNode body = body(ctx);
    if (body == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    String id = body.path("id").asText("");
    if (id.isEmpty()) {
      id = "pm-" + EventIds.next();
    } else if (!ID.matcher(id).matches()) {
      problems.add("id: letters, digits, '.', '_' and '-', at most 100, found " + id);
    }
    Postmortem document = PostmortemSections.EMPTY;
    String action = "created";
    try {
      if (body.has("markdown")) {
        if (!body.path("markdown").isTextual()) {
          problems.add("markdown: must be a string");
        } else {
          document = MarkdownPostmortem.parse(body.path("markdown").asText());
          action = "imported";
        }
      }
      if (body.has("document")) {
        document = PostmortemSections.merge(document, body.path("document"));
      }
    } catch (InvalidPostmortemException e) {
      problems.addAll(e.problems());
    }
    String incidentId = body.path("incidentId").asText(document.incidentId());
    if (!problems.isEmpty()) {
      error(ctx, 400, String.join("; ", problems), problems);
      return;
    }
    String author = author(ctx, body);
    String note = body.hasNonNull("note") ? body.path("note").asText() : null;
    String postmortemId = id;
    Postmortem base = withIncident(document, incidentId);
    String act = action;
    draft(base)
        .onFailure(e -> error(ctx, 500, "could not draft the timeline: " + e.getMessage()))
        .onSuccess(
            drafted -> {
              CloudEvent event;
              try {
                event = store().create(postmortemId, drafted, author, act, note, Instant.now());
              } catch (RevisionConflictException e) {
                error(ctx, 409, "postmortem " + postmortemId + " exists");
                return;
              }
              publishAndAnswer(ctx, postmortemId, event, 201);
            });
  }

  /** {@code document} for {@code incidentId}, its timeline drafted when it has none. */
  private Future<Postmortem> draft(Postmortem document) {
    if (document.incidentId().isEmpty()) {
      return Future.succeededFuture(document);
    }
    return incidents
        .apply(document.incidentId())
        .compose(
            incident ->
                vertx.executeBlocking(
                    () -> {
                      Postmortem p = document;
                      if (p.title().isEmpty()) {
                        p =
                            PostmortemSections.merge(
                                p,
                                EventCodec.MAPPER
                                    .createObjectNode()
                                    .put(
                                        "title",
                                        incident == null
                                            ? "Postmortem of " + p.incidentId()
                                            : incident.getString("title")));
                      }
                      if (!p.timeline().isEmpty()) {
                        return p;
                      }
                      return PostmortemStore.withTimeline(
                          p, TimelineDraft.draft(events, scope(p.incidentId(), incident)));
                    }));
  }

  private static TimelineDraft.Scope scope(String incidentId, JsonObject incident) {
    if (incident == null) {
      return new TimelineDraft.Scope(incidentId, List.of(), List.of(), null, null);
    }
    return new TimelineDraft.Scope(
        incidentId,
        strings(incident.getJsonArray("subjects")),
        strings(incident.getJsonArray("experiments")),
        Instant.parse(incident.getString("opened")),
        Instant.parse(incident.getString("lastActivity")));
  }

  private static List<String> strings(JsonArray array) {
    List<String> list = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> list.add(String.valueOf(v)));
    }
    return list;
  }

  private void revise(RoutingContext ctx) {
    JsonNode body = body(ctx);
    if (body == null) {
      return;
    }
    JsonNode sections = body.path("sections");
    if (!sections.isObject()) {
      error(
          ctx,
          400,
          "the body must be {\"expectedRevision\": N, \"sections\": {\"summary\": \"...\"},"
              + " \"note\": \"...\"}");
      return;
    }
    change(ctx, body, sections);
  }

  private void status(RoutingContext ctx) {
    JsonNode body = body(ctx);
    if (body == null) {
      return;
    }
    if (!body.path("status").isTextual()) {
      error(ctx, 400, "status must be one of " + Postmortem.STATUSES);
      return;
    }
    change(ctx, body, EventCodec.MAPPER.createObjectNode().set("status", body.path("status")));
  }

  /**
   * Applies a change; one that makes a postmortem final is refused (422, with the remarks) unless
   * the document it leads to passes the blameless review.
   */
  private void change(RoutingContext ctx, JsonNode body, JsonNode sections) {
    String id = ctx.pathParam("id");
    JsonNode expected = body.path("expectedRevision");
    if (!expected.isInt() || expected.asInt() < 1) {
      error(ctx, 400, "expectedRevision: the revision the change is based on (from 1) is required");
      return;
    }
    Optional<PostmortemHead> h = store().get(id);
    if (!"final".equals(sections.path("status").asText()) || h.isEmpty()) {
      apply(ctx, body, sections);
      return;
    }
    Postmortem proposed;
    try {
      proposed = PostmortemSections.merge(h.get().document(), sections);
    } catch (InvalidPostmortemException e) {
      error(ctx, 400, e.getMessage(), e.problems());
      return;
    }
    remarks(proposed)
        .onFailure(e -> error(ctx, 500, "review failed: " + e.getMessage()))
        .onSuccess(
            problems -> {
              if (problems.isEmpty()) {
                apply(ctx, body, sections);
                return;
              }
              ObjectNode answer = EventCodec.MAPPER.createObjectNode();
              answer.put(
                  "error",
                  "a postmortem is final only once it passes the blameless review; "
                      + problems.size()
                      + " remark"
                      + (problems.size() == 1 ? "" : "s")
                      + " left");
              answer.set(
                  "problems",
                  EventCodec.MAPPER.valueToTree(
                      problems.stream().map(BlamelessReview::describe).toList()));
              answer.set("remarks", EventCodec.MAPPER.valueToTree(problems));
              ok(ctx, 422, answer);
            });
  }

  private void apply(RoutingContext ctx, JsonNode body, JsonNode sections) {
    String id = ctx.pathParam("id");
    JsonNode expected = body.path("expectedRevision");
    Optional<CloudEvent> event;
    try {
      event =
          store()
              .revise(
                  id,
                  expected.asInt(),
                  sections,
                  author(ctx, body),
                  body.hasNonNull("note") ? body.path("note").asText() : null,
                  Instant.now());
    } catch (PostmortemNotFoundException e) {
      error(ctx, 404, e.getMessage());
      return;
    } catch (RevisionConflictException e) {
      conflict(ctx, e);
      return;
    } catch (InvalidPostmortemException e) {
      error(ctx, 400, e.getMessage(), e.problems());
      return;
    }
    if (event.isEmpty()) {
      PostmortemHead h = store().get(id).orElseThrow();
      ok(ctx, 200, full(h, h.revision(), h.document()));
      return;
    }
    publishAndAnswer(ctx, id, event.get(), 200);
  }

  private void publishAndAnswer(RoutingContext ctx, String id, CloudEvent event, int status) {
    CompletableFuture<PostmortemHead> applied = store().whenApplied(event.id());
    publisher
        .publish(Topics.POSTMORTEMS, id, event)
        .onFailure(
            e -> {
              store().forget(event.id());
              error(ctx, 503, "could not publish the revision: " + e.getMessage());
            })
        .onSuccess(
            position ->
                Future.fromCompletionStage(
                        applied.orTimeout(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), context)
                    .onSuccess(h -> ok(ctx, status, full(h, h.revision(), h.document())))
                    .onFailure(
                        e -> {
                          Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                          if (cause instanceof RevisionConflictException conflict) {
                            conflict(ctx, conflict);
                          } else {
                            store().forget(event.id());
                            LOG.warn("revision {} of {} not confirmed", event.id(), id, cause);
                            error(
                                ctx,
                                503,
                                "the revision was published but not read back in time: " + cause);
                          }
                        }));
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private Optional<PostmortemHead> head(RoutingContext ctx) {
    Optional<PostmortemHead> h = store().get(ctx.pathParam("id"));
    if (h.isEmpty()) {
      error(ctx, 404, "no postmortem " + ctx.pathParam("id"));
    }
    return h;
  }

  private static ObjectNode full(PostmortemHead h, int revision, Postmortem document) {
    ObjectNode node = PostmortemDocuments.summary(h);
    node.put("revision", revision);
    node.put("latestRevision", h.revision());
    node.set("document", EventCodec.MAPPER.valueToTree(document));
    return node;
  }

  private static Postmortem withIncident(Postmortem p, String incidentId) {
    if (incidentId == null || incidentId.equals(p.incidentId())) {
      return p;
    }
    return PostmortemSections.merge(
        p, EventCodec.MAPPER.createObjectNode().put("incidentId", incidentId));
  }

  private static String author(RoutingContext ctx, JsonNode body) {
    Object principal = ctx.get(ApiRoutes.PRINCIPAL_NAME);
    if (principal != null) {
      return principal.toString();
    }
    String given = body.path("author").asText("");
    return given.isBlank() ? "anonymous" : given;
  }

  private static Integer number(RoutingContext ctx, String value, String name) {
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      error(ctx, 400, name + " must be a revision number, found " + value);
      return null;
    }
  }

  private static JsonNode body(RoutingContext ctx) {
    try {
      JsonNode body = EventCodec.MAPPER.readTree(ctx.body().asString());
      if (body != null && body.isObject()) {
        return body;
      }
    } catch (Exception e) {
      // answered below
    }
    error(ctx, 400, "the body must be a JSON object");
    return null;
  }

  private static void conflict(RoutingContext ctx, RevisionConflictException e) {
    ObjectNode body = EventCodec.MAPPER.createObjectNode();
    body.put("error", e.getMessage());
    body.put("latestRevision", e.current());
    ok(ctx, 409, body);
  }

  private static void ok(RoutingContext ctx, int status, JsonNode body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toString());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    error(ctx, status, message, List.of(message));
  }

  private static void error(RoutingContext ctx, int status, String message, List<String> problems) {
    ObjectNode body = EventCodec.MAPPER.createObjectNode();
    body.put("error", message);
    body.set("problems", EventCodec.MAPPER.valueToTree(problems));
    ok(ctx, status, body);
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          if (log != null) {
            log.close();
          }
          if (index != null) {
            index.close();
          }
          if (revisions != null) {
            revisions.close();
          }
          return null;
        });
  }
}
