package io.valentia.notifications.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.Audit;
import io.valentia.notifications.NotificationsVerticle;
import io.valentia.notifications.route.Matcher;
import io.valentia.notifications.silence.Silence;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * {@code /api/v1/silences}: notification silences, as Alertmanager has them. {@code GET /} lists
 * them (newest first, with their state), {@code POST /} creates one, {@code GET /:id} shows one,
 * {@code DELETE /:id} expires it. Creating and expiring need the responder role and are audited.
 *
 * <p>A silence is given as {@code {"matchers": ["severity=\"critical\"", ...], "comment": "...",
 * "duration": "2h"}} (or {@code startsAt}/{@code endsAt} in RFC 3339); matchers may also be given
 * in Alertmanager's v2 form {@code {"name", "value", "isRegex", "isEqual"}}.
 */
public final class SilencesApi {
  private final NotificationsVerticle pipeline;
  private final EventPublisher audit;
  private final Clock clock;

  public SilencesApi(NotificationsVerticle pipeline, EventPublisher audit, Clock clock) {
    this.pipeline = pipeline;
    this.audit = audit;
    this.clock = clock;
  }

  /** Adds the routes to {@code router}. */
  public Router mount(Router router) {
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route(HttpMethod.GET, "/").handler(this::list);
    router.route(HttpMethod.POST, "/").handler(this::create);
    router.route(HttpMethod.GET, "/:id").handler(this::get);
    router.route(HttpMethod.DELETE, "/:id").handler(this::expire);
    return router;
  }

  private void list(RoutingContext ctx) {
    Instant now = clock.instant();
    pipeline
        .silences()
        .onSuccess(
            silences -> {
              ArrayNode out = EventCodec.MAPPER.createArrayNode();
              silences.stream()
                  .sorted(Comparator.comparing(Silence::startsAt).reversed())
                  .forEach(s -> out.add(toJson(s, now)));
              Roles.Json.ok(ctx, 200, out.toString());
            })
        .onFailure(e -> Roles.Json.error(ctx, 500, e.getMessage()));
  }

  private void get(RoutingContext ctx) {
    pipeline
        .silence(ctx.pathParam("id"))
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                Roles.Json.error(ctx, 404, "no silence " + ctx.pathParam("id"));
              } else {
                Roles.Json.ok(ctx, 200, toJson(found.get(), clock.instant()).toString());
              }
            })
        .onFailure(e -> Roles.Json.error(ctx, 500, e.getMessage()));
  }

  private void create(RoutingContext ctx) {
    if (!Roles.require(ctx, "responder")) {
      return;
    }
    JsonNode body;
    try {
      body = EventCodec.MAPPER.readTree(ctx.body().asString());
    } catch (Exception e) {
      Roles.Json.error(ctx, 400, "the body is not JSON: " + e.getMessage());
      return;
    }
    if (body == null || !body.isObject()) {
      Roles.Json.error(ctx, 400, "the body must be a JSON object");
      return;
    }
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>();
    Silence silence = parse(body, Roles.principal(ctx), now, problems);
    if (silence != null) {
      problems.addAll(silence.validate());
    }
    if (!problems.isEmpty()) {
      ObjectNode error = EventCodec.MAPPER.createObjectNode();
      error.put("error", "the silence is not valid: " + String.join("; ", problems));
      error.set("problems", EventCodec.MAPPER.valueToTree(problems));
      Roles.Json.ok(ctx, 400, error.toString());
      return;
    }
    pipeline
        .putSilence(silence)
        .onSuccess(
            s -> {
              audit(ctx, "silence.create", s);
              ctx.response().putHeader("location", "/api/v1/silences/" + s.id());
              Roles.Json.ok(ctx, 201, toJson(s, clock.instant()).toString());
            })
        .onFailure(e -> Roles.Json.error(ctx, 503, "the silence was not kept: " + e.getMessage()));
  }

  private void expire(RoutingContext ctx) {
    if (!Roles.require(ctx, "responder")) {
      return;
    }
    String id = ctx.pathParam("id");
    Instant now = clock.instant();
    pipeline
        .silence(id)
        .compose(
            found -> {
              if (found.isEmpty()) {
                Roles.Json.error(ctx, 404, "no silence " + id);
                return io.vertx.core.Future.succeededFuture();
              }
              Silence s = found.get();
              if (!s.endsAt().isAfter(now)) {
                Roles.Json.error(ctx, 409, "silence " + id + " has already expired");
                return io.vertx.core.Future.succeededFuture();
              }
              Silence expired =
                  new Silence(
                      s.id(),
                      s.matchers(),
                      s.startsAt().isAfter(now) ? now : s.startsAt(),
                      now,
                      s.createdBy(),
                      s.comment(),
                      now);
              return pipeline
                  .putSilence(expired)
                  .onSuccess(
                      e -> {
                        audit(ctx, "silence.expire", e);
                        Roles.Json.ok(ctx, 200, toJson(e, clock.instant()).toString());
                      });
            })
        .onFailure(
            e -> Roles.Json.error(ctx, 503, "the silence was not expired: " + e.getMessage()));
  }

  /** A silence from its JSON form; adds what is wrong with it to {@code problems}. */
  static Silence parse(JsonNode body, String by, Instant now, List<String> problems) {
    List<Matcher> matchers = new ArrayList<>();
    JsonNode list = body.path("matchers");
    if (!list.isArray() || list.isEmpty()) {
      problems.add("matchers: at least one matcher is needed, e.g. [\"severity=\\\"warning\\\"\"]");
    } else {
      for (int i = 0; i < list.size(); i++) {
        JsonNode m = list.get(i);
        try {
          matchers.add(m.isTextual() ? Matcher.parse(m.asText()) : Matcher.parse(v2(m)));
        } catch (IllegalArgumentException e) {
          problems.add("matchers[" + i + "]: " + e.getMessage());
        }
      }
    }
    Instant startsAt = time(body, "startsAt", now, problems);
    Instant endsAt = null;
    if (body.hasNonNull("endsAt")) {
      endsAt = time(body, "endsAt", null, problems);
    } else if (body.hasNonNull("duration")) {
      try {
        endsAt = startsAt.plus(parseDuration(body.get("duration").asText()));
      } catch (IllegalArgumentException e) {
        problems.add("duration: " + e.getMessage());
      }
    } else {
      problems.add("endsAt or duration: a silence needs an end");
    }
    String comment = body.path("comment").asText("");
    if (!problems.isEmpty()) {
      return null;
    }
    String id = body.hasNonNull("id") ? body.get("id").asText() : UUID.randomUUID().toString();
    return new Silence(id, matchers, startsAt, endsAt, by, comment, now);
  }

  /** Alertmanager v2's matcher object as the matcher text. */
  private static String v2(JsonNode m) {
    if (!m.isObject() || !m.hasNonNull("name") || !m.has("value")) {
      throw new IllegalArgumentException(
          "a matcher is a string or {name, value, isRegex, isEqual}");
    }
    boolean regex = m.path("isRegex").asBoolean(false);
    boolean equal = m.path("isEqual").asBoolean(true);
    String op = (equal ? "=" : "!") + (regex ? "~" : "");
    if (op.equals("!")) {
      op = "!=";
    }
    return m.get("name").asText()
        + op
        + "\""
        + m.get("value").asText().replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"";
  }

  private static Instant time(JsonNode body, String field, Instant absent, List<String> problems) {
    if (!body.hasNonNull(field)) {
      return absent;
    }
    try {
      return OffsetDateTime.parse(body.get(field).asText()).toInstant();
    } catch (DateTimeParseException e) {
      problems.add(field + ": not an RFC 3339 time: " + body.get(field).asText());
      return absent;
    }
  }

  /** {@code 90m}, {@code 2h}, {@code 1d}, {@code 1h30m}: Prometheus's duration form. */
  public static Duration parseDuration(String text) {
    Duration d = io.valentia.eventbus.config.Durations.parse(text);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("not a positive duration (like 30m, 2h, 1d): " + text);
    }
    return d;
  }

  /** A silence with its state ({@code active}, {@code pending}, {@code expired}). */
  public static ObjectNode toJson(Silence s, Instant now) {
    ObjectNode json = EventCodec.MAPPER.valueToTree(s);
    String state =
        !s.endsAt().isAfter(now) ? "expired" : s.startsAt().isAfter(now) ? "pending" : "active";
    json.putObject("status").put("state", state);
    return json;
  }

  private void audit(RoutingContext ctx, String action, Silence s) {
    Audit entry =
        new Audit(
            Roles.principal(ctx),
            ctx.get(io.valentia.eventbus.service.ApiRoutes.PRINCIPAL_ROLE),
            action,
            "silences/" + s.id(),
            "success",
            ctx.request().remoteAddress() == null
                ? null
                : ctx.request().remoteAddress().hostAddress(),
            EventCodec.MAPPER.valueToTree(s));
    audit.publish(
        Topics.EVENTS,
        entry.actor(),
        CloudEvent.of(entry).source("/notifications").subject(entry.actor()).build());
  }
}
