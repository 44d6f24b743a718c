package io.valentia.web.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /api/v1/events}: CloudEvents over HTTP, as the CloudEvents HTTP protocol binding has
 * them, so any CloudEvents producer (Knative, Argo Events, curl) can publish to {@code
 * valentia.events}:
 *
 * <ul>
 *   <li>structured mode: {@code Content-Type: application/cloudevents+json}, the event as JSON (a
 *       plain {@code application/json} body with a {@code specversion} is read the same way);
 *   <li>batch mode: {@code Content-Type: application/cloudevents-batch+json}, a JSON array of
 *       events;
 *   <li>binary mode: the attributes in {@code ce-*} headers ({@code ce-specversion}, {@code ce-id},
 *       {@code ce-source}, {@code ce-type}, {@code ce-subject}, {@code ce-time}, extensions such as
 *       {@code ce-severity}), the body is {@code data} and its {@code Content-Type} the {@code
 *       datacontenttype}.
 * </ul>
 *
 * Every event is checked as {@code valentia emit} checks it (the envelope, and the data of
 * Valentia's types against their schema) before any is published: one bad event refuses the whole
 * request with a 400 listing every problem of every event, and nothing is published. Accepted
 * events are published in order and answered with 202 and their ids.
 */
public final class EventsIngest {
  /** Structured mode. */
  public static final String STRUCTURED = "application/cloudevents+json";

  /** Batch mode. */
  public static final String BATCH = "application/cloudevents-batch+json";

  private static final String PREFIX = "ce-";

  private final EventPublisher publisher;

  public EventsIngest(EventPublisher publisher) {
    this.publisher = publisher;
  }

  /** Handles one request. */
  public void handle(RoutingContext ctx) {
    String type = mediaType(ctx.request().getHeader("Content-Type"));
    List<JsonNode> trees = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    MultiMap headers = ctx.request().headers();
    try {
      if (headers.contains("ce-specversion")) {
        trees.add(
            binary(headers, type, ctx.body().buffer() == null ? null : ctx.body().asString()));
      } else if (type.equals(BATCH)) {
        JsonNode body = EventCodec.MAPPER.readTree(ctx.body().asString());
        if (body == null || !body.isArray()) {
          error(ctx, 400, List.of("a batch is a JSON array of events"));
          return;
        }
        body.forEach(trees::add);
      } else if (type.equals(STRUCTURED) || type.equals("application/json")) {
        trees.add(EventCodec.MAPPER.readTree(ctx.body().asString()));
      } else {
        error(
            ctx,
            415,
            List.of(
                "send "
                    + STRUCTURED
                    + ", "
                    + BATCH
                    + ", or binary mode with ce-* headers; found Content-Type "
                    + (type.isEmpty() ? "none" : type)));
        return;
      }
    } catch (IOException | IllegalArgumentException e) {
      error(ctx, 400, List.of("the body is not JSON: " + e.getMessage()));
      return;
    }
    if (trees.isEmpty()) {
      error(ctx, 400, List.of("no event in the request"));
      return;
    }
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 0; i < trees.size(); i++) {
      String where = trees.size() == 1 ? "" : "events[" + i + "]: ";
      try {
        events.add(EventCodec.instance().decode(trees.get(i)));
      } catch (InvalidEventException e) {
        e.problems().forEach(p -> problems.add(where + p));
      }
    }
    if (!problems.isEmpty()) {
      error(ctx, 400, problems);
      return;
    }
    Future<RecordPosition> chain = Future.succeededFuture();
    for (CloudEvent event : events) {
      chain = chain.compose(p -> publisher.publish(Topics.EVENTS, Topics.keyOf(event), event));
    }
    chain
        .onSuccess(
            p -> {
              ObjectNode answer = EventCodec.MAPPER.createObjectNode();
              answer.put("accepted", events.size());
              ArrayNode ids = answer.putArray("ids");
              events.forEach(e -> ids.add(e.id()));
              ctx.response()
                  .setStatusCode(202)
                  .putHeader("Content-Type", "application/json")
                  .end(answer.toString());
            })
        .onFailure(e -> error(ctx, 503, List.of("not published: " + e.getMessage())));
  }

  /** The event of a binary-mode request as a structured-mode tree. */
  static JsonNode binary(MultiMap headers, String contentType, String body) throws IOException {
    ObjectNode event = EventCodec.MAPPER.createObjectNode();
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
        event.put(name.substring(PREFIX.length()), header.getValue());
      }
    }
    if (!contentType.isEmpty()) {
      event.put("datacontenttype", contentType);
    }
    if (body != null && !body.isEmpty()) {
      if (contentType.isEmpty()
          || contentType.equals("application/json")
          || contentType.endsWith("+json")) {
        event.set("data", EventCodec.MAPPER.readTree(body));
      } else {
        event.put("data", body);
      }
    }
    return event;
  }

  private static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static void error(RoutingContext ctx, int status, List<String> problems) {
    ObjectNode body = EventCodec.MAPPER.createObjectNode();
    body.put(
        "error",
        problems.size() == 1
            ? problems.get(0)
            : problems.size() + " problems: " + String.join("; ", problems));
    ArrayNode list = body.putArray("problems");
    problems.forEach(list::add);
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }
}
