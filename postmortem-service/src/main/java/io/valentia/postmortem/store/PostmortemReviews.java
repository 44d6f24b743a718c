package io.valentia.postmortem.store;

import static io.valentia.postmortem.store.JsonAnswers.body;
import static io.valentia.postmortem.store.JsonAnswers.error;
import static io.valentia.postmortem.store.JsonAnswers.head;
import static io.valentia.postmortem.store.JsonAnswers.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.review.BlamelessReview;
import io.valentia.postmortem.review.EvidenceCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The review routes of {@code /api/v1/postmortems}: {@code GET /:id/review} reviews the latest
 * revision, {@code POST /review} reviews text not saved yet. The remarks are the {@link
 * BlamelessReview}'s and the {@link EvidenceCheck}'s, worked out on a worker; a review changes
 * nothing.
 */
final class PostmortemReviews {
  private final Vertx vertx;
  private final PostmortemStore store;
  private final EvidenceCheck evidence;

  PostmortemReviews(Vertx vertx, PostmortemStore store, EvidenceCheck evidence) {
    this.vertx = vertx;
    this.store = store;
    this.evidence = evidence;
  }

  /** {@code GET /:id/review}: {@code {"id", "revision", "problems": [remarks]}}. */
  void review(RoutingContext ctx) {
    Optional<PostmortemHead> found = head(ctx, store);
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
   * {@code POST /review}, the review of text not saved yet: {@code {"document": {sections}, "id":
   * "..."}}; the sections given replace those of postmortem {@code id} when it is given, of an
   * empty draft otherwise. Changes nothing.
   */
  void lint(RoutingContext ctx) {
    JsonNode body = body(ctx);
    if (body == null) {
      return;
    }
    Postmortem base = PostmortemSections.EMPTY;
    String id = body.path("id").asText("");
    if (!id.isEmpty()) {
      Optional<PostmortemHead> h = store.get(id);
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
  Future<List<BlamelessReview.Problem>> remarks(Postmortem p) {
    return vertx.executeBlocking(
        () -> {
          List<BlamelessReview.Problem> problems = new ArrayList<>(new BlamelessReview().review(p));
          problems.addAll(evidence.unknownEvidence(p));
          return problems;
        });
  }
}
