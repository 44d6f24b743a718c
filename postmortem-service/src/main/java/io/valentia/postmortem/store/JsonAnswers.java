package io.valentia.postmortem.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.Postmortem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * How the postmortem API reads a request and answers: a JSON object body, a revision number, the
 * postmortem an {@code :id} names, and JSON answers (a postmortem in full, {@code {"error",
 * "problems"}} for a refusal, {@code {"error", "latestRevision"}} for a conflict). A method that
 * refuses the request answers it and returns null or empty, and the caller stops there.
 */
final class JsonAnswers {
  private JsonAnswers() {}

  /** The postmortem {@code :id} names; empty after answering 404 when there is none. */
  static Optional<PostmortemHead> head(RoutingContext ctx, PostmortemStore store) {
    Optional<PostmortemHead> h = store.get(ctx.pathParam("id"));
    if (h.isEmpty()) {
      error(ctx, 404, "no postmortem " + ctx.pathParam("id"));
    }
    return h;
  }

  /** The summary of {@code h} with revision {@code revision}'s document. */
  static ObjectNode full(PostmortemHead h, int revision, Postmortem document) {
    ObjectNode node = PostmortemDocuments.summary(h);
    node.put("revision", revision);
    node.put("latestRevision", h.revision());
    node.set("document", EventCodec.MAPPER.valueToTree(document));
    return node;
  }

  /** {@code value} as a revision number; null after answering 400 when it is not one. */
  static Integer number(RoutingContext ctx, String value, String name) {
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      error(ctx, 400, name + " must be a revision number, found " + value);
      return null;
    }
  }

  /** The request's body; null after answering 400 when it is not a JSON object. */
  static JsonNode body(RoutingContext ctx) {
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

  static void conflict(RoutingContext ctx, RevisionConflictException e) {
    ObjectNode body = EventCodec.MAPPER.createObjectNode();
    body.put("error", e.getMessage());
    body.put("latestRevision", e.current());
    ok(ctx, 409, body);
  }

  static void ok(RoutingContext ctx, int status, JsonNode body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toString());
  }

  static void error(RoutingContext ctx, int status, String message) {
    error(ctx, status, message, List.of(message));
  }

  static void error(RoutingContext ctx, int status, String message, List<String> problems) {
    ObjectNode body = EventCodec.MAPPER.createObjectNode();
    body.put("error", message);
    body.set("problems", EventCodec.MAPPER.valueToTree(problems));
    ok(ctx, status, body);
  }
}
