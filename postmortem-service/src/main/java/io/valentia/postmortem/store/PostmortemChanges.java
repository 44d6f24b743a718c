package io.valentia.postmortem.store;

import static io.valentia.postmortem.store.JsonAnswers.body;
import static io.valentia.postmortem.store.JsonAnswers.conflict;
import static io.valentia.postmortem.store.JsonAnswers.error;
import static io.valentia.postmortem.store.JsonAnswers.full;
import static io.valentia.postmortem.store.JsonAnswers.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.review.BlamelessReview;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of {@code /api/v1/postmortems} that change a postmortem: {@code POST /} creates (from
 * sections or imported Markdown, its first draft from its incident: {@link IncidentDraft}), {@code
 * PUT /:id} revises sections and {@code POST /:id/status} moves the status, both based on an {@code
 * expectedRevision}. A change is a revision event published on {@code valentia.postmortems}; the
 * answer waits until the log has taken it (at most {@link #APPLY_TIMEOUT}), so what a client reads
 * back is what every process sees. A change that makes a postmortem final is refused (422, with the
 * remarks) unless the document it leads to passes the review ({@link PostmortemReviews}).
 */
final class PostmortemChanges {
  private static final Logger LOG = LoggerFactory.getLogger(PostmortemChanges.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** How long an answer waits for the log to take the revision it published. */
  private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(20);

  private final Context context;
  private final PostmortemStore store;
  private final KafkaEventPublisher publisher;
  private final IncidentDraft drafts;
  private final PostmortemReviews reviews;

  /**
   * @param context where the answer to a published change is completed (the verticle's)
   */
  PostmortemChanges(
      Context context,
      PostmortemStore store,
      KafkaEventPublisher publisher,
      IncidentDraft drafts,
      PostmortemReviews reviews) {
    this.context = context;
    this.store = store;
    this.publisher = publisher;
    this.drafts = drafts;
    this.reviews = reviews;
  }

  /**
   * {@code POST /}: {@code {"id", "markdown", "document", "incidentId", "author", "note"}}, all
   * optional; 201 with the postmortem, 409 when the id exists.
   */
  void create(RoutingContext ctx) {
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
    drafts
        .draft(base)
        .onFailure(e -> error(ctx, 500, "could not draft the timeline: " + e.getMessage()))
        .onSuccess(
            drafted -> {
              CloudEvent event;
              try {
                event = store.create(postmortemId, drafted, author, act, note, Instant.now());
              } catch (RevisionConflictException e) {
                error(ctx, 409, "postmortem " + postmortemId + " exists");
                return;
              }
              publishAndAnswer(ctx, postmortemId, event, 201);
            });
  }

  /** {@code PUT /:id}: {@code {"expectedRevision": N, "sections": {...}, "note": "..."}}. */
  void revise(RoutingContext ctx) {
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

  /** {@code POST /:id/status}: {@code {"expectedRevision": N, "status": "...", "note": "..."}}. */
  void status(RoutingContext ctx) {
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
    Optional<PostmortemHead> h = store.get(id);
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
    reviews
        .remarks(proposed)
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
          store.revise(
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
      PostmortemHead h = store.get(id).orElseThrow();
      ok(ctx, 200, full(h, h.revision(), h.document()));
      return;
    }
    publishAndAnswer(ctx, id, event.get(), 200);
  }

  private void publishAndAnswer(RoutingContext ctx, String id, CloudEvent event, int status) {
    CompletableFuture<PostmortemHead> applied = store.whenApplied(event.id());
    publisher
        .publish(Topics.POSTMORTEMS, id, event)
        .onFailure(
            e -> {
              store.forget(event.id());
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
                            store.forget(event.id());
                            LOG.warn("revision {} of {} not confirmed", event.id(), id, cause);
                            error(
                                ctx,
                                503,
                                "the revision was published but not read back in time: " + cause);
                          }
                        }));
  }

  private static Postmortem withIncident(Postmortem p, String incidentId) {
    if (incidentId == null || incidentId.equals(p.incidentId())) {
      return p;
    }
    return PostmortemSections.merge(
        p, EventCodec.MAPPER.createObjectNode().put("incidentId", incidentId));
  }

  /** The signed-in principal; without one, the body's {@code author}, else {@code anonymous}. */
  private static String author(RoutingContext ctx, JsonNode body) {
    Object principal = ctx.get(ApiRoutes.PRINCIPAL_NAME);
    if (principal != null) {
      return principal.toString();
    }
    String given = body.path("author").asText("");
    return given.isBlank() ? "anonymous" : given;
  }
}
