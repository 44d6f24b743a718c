package io.valentia.notifications.inbound;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.Audit;
import io.valentia.notifications.NotificationsVerticle;
import io.valentia.notifications.api.Roles;
import io.valentia.notifications.api.SilencesApi;
import io.valentia.notifications.route.Matcher;
import io.valentia.notifications.silence.Silence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/slack/commands}: the {@code /valentia} slash command. Slack signs each
 * request (v0: HMAC-SHA256 of {@code v0:TIMESTAMP:BODY} with the app's signing secret); that
 * signature is the request's authentication, in place of an API token, so this route is served
 * without one and refuses anything unsigned, badly signed or older than five minutes. A command
 * acts with the role the configuration maps the Slack user to (unknown users are viewers) and is
 * audited like an API call.
 *
 * <ul>
 *   <li>{@code /valentia status}: the platform's health (viewer)
 *   <li>{@code /valentia ack INCIDENT}: silences the incident's notifications for a day (responder)
 *   <li>{@code /valentia silence MATCHER... DURATION [COMMENT]}: a silence, e.g. {@code
 *       host="osd-3" 2h switch maintenance} (responder)
 *   <li>{@code /valentia halt REASON}: halts all chaos (operator; the chaos role must run in this
 *       process)
 * </ul>
 */
public final class SlackCommands {
  /** The local event-bus address the chaos role answers halt requests on. */
  public static final String HALT_ADDRESS = "valentia.chaos.halt";

  static final Duration ACK_FOR = Duration.ofDays(1);

  private final Vertx vertx;
  private final SlackCommandsConfig config;
  private final NotificationsVerticle pipeline;
  private final EventPublisher publisher;
  private final Supplier<Future<String>> status;
  private final Clock clock;

  /**
   * @param status one paragraph about the platform's health, for {@code /valentia status}
   */
  public SlackCommands(
      Vertx vertx,
      SlackCommandsConfig config,
      NotificationsVerticle pipeline,
      EventPublisher publisher,
      Supplier<Future<String>> status,
      Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.pipeline = pipeline;
    this.publisher = publisher;
    this.status = status;
    this.clock = clock;
  }

  /** Adds the route to {@code router} (mounted at {@code /slack}). */
  public Router mount(Router router) {
    router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.post("/commands").handler(this::command);
    return router;
  }

  private void command(RoutingContext ctx) {
    if (!config.enabled()) {
      Roles.Json.error(ctx, 404, "Slack commands are not configured (notifications.slack)");
      return;
    }
    String raw = ctx.body().asString();
    String timestamp = ctx.request().getHeader("X-Slack-Request-Timestamp");
    String signature = ctx.request().getHeader("X-Slack-Signature");
    if (!SlackSignature.verify(
        config.signingSecret(), timestamp, signature, raw, clock.instant())) {
      Roles.Json.error(
          ctx, 401, "not signed by Slack (X-Slack-Signature), or older than five minutes");
      return;
    }
    Map<String, String> form;
    try {
      form = form(raw);
    } catch (IllegalArgumentException e) {
      Roles.Json.error(ctx, 400, "the body is not a form: " + e.getMessage());
      return;
    }
    String userId = form.getOrDefault("user_id", "");
    String userName = form.getOrDefault("user_name", userId);
    String role = config.roleOf(userId);
    String text = form.getOrDefault("text", "").trim();
    List<String> words = text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
    String verb = words.isEmpty() ? "help" : words.get(0).toLowerCase(java.util.Locale.ROOT);
    List<String> args = words.isEmpty() ? List.of() : words.subList(1, words.size());
    String actor = "slack:" + userName;
    Future<Reply> reply =
        switch (verb) {
          case "status" -> status.get().map(Reply::ephemeral);
          case "ack" -> needs(role, "responder", () -> ack(args, actor));
          case "silence" -> needs(role, "responder", () -> silence(args, actor));
          case "halt" -> needs(role, "operator", () -> halt(args, actor));
          case "help" -> Future.succeededFuture(Reply.ephemeral(usage()));
          default ->
              Future.succeededFuture(
                  Reply.ephemeral("Unknown command `" + verb + "`.\n" + usage()));
        };
    reply.onComplete(
        done -> {
          Reply r =
              done.succeeded()
                  ? done.result()
                  : Reply.ephemeral("Failed: " + done.cause().getMessage());
          if (!verb.equals("help") && !verb.equals("status")) {
            audit(actor, role, verb, text, r.outcome());
          }
          Roles.Json.ok(
              ctx,
              200,
              new JsonObject()
                  .put("response_type", r.responseType())
                  .put("text", r.text())
                  .encode());
        });
  }

  private Future<Reply> needs(String role, String needed, Supplier<Future<Reply>> action) {
    if (!Roles.atLeast(role, needed)) {
      return Future.succeededFuture(
          Reply.denied(
              "Your Slack user has the "
                  + role
                  + " role in Valentia; this command needs "
                  + needed
                  + "."));
    }
    return action.get();
  }

  private Future<Reply> ack(List<String> args, String actor) {
    if (args.size() != 1) {
      return Future.succeededFuture(Reply.ephemeral("Usage: `/valentia ack INCIDENT`"));
    }
    String incident = args.get(0);
    Instant now = clock.instant();
    Silence silence =
        new Silence(
            UUID.randomUUID().toString(),
            List.of(Matcher.parse("incident=\"" + escape(incident) + "\"")),
            now,
            now.plus(ACK_FOR),
            actor,
            "acknowledged in Slack",
            now);
    return pipeline
        .putSilence(silence)
        .map(
            s ->
                Reply.inChannel(
                    actor.substring("slack:".length())
                        + " acknowledged incident "
                        + incident
                        + ": its notifications are silenced for 24h (silence "
                        + s.id()
                        + ")."));
  }

  private Future<Reply> silence(List<String> args, String actor) {
    List<Matcher> matchers = new ArrayList<>();
    Duration duration = null;
    int i = 0;
    try {
      for (; i < args.size(); i++) {
        String word = args.get(i);
        if (word.contains("=") || word.contains("~")) {
          matchers.add(Matcher.parse(word));
        } else {
          duration = SilencesApi.parseDuration(word);
          i++;
          break;
        }
      }
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(Reply.ephemeral("Not a silence: " + e.getMessage()));
    }
    if (matchers.isEmpty() || duration == null) {
      return Future.succeededFuture(
          Reply.ephemeral(
              "Usage: `/valentia silence MATCHER... DURATION [COMMENT]`,"
                  + " e.g. `/valentia silence host=\"osd-3\" 2h switch maintenance`"));
    }
    String comment = String.join(" ", args.subList(i, args.size()));
    Instant now = clock.instant();
    Silence silence =
        new Silence(
            UUID.randomUUID().toString(),
            matchers,
            now,
            now.plus(duration),
            actor,
            comment.isEmpty() ? "silenced in Slack" : comment,
            now);
    List<String> problems = silence.validate();
    if (!problems.isEmpty()) {
      return Future.succeededFuture(
          Reply.ephemeral("Not a silence: " + String.join("; ", problems)));
    }
    return pipeline
        .putSilence(silence)
        .map(
            s ->
                Reply.inChannel(
                    "Silence "
                        + s.id()
                        + " until "
                        + s.endsAt()
                        + " for "
                        + String.join(", ", args.subList(0, matchers.size()))));
  }

  private Future<Reply> halt(List<String> args, String actor) {
    if (args.isEmpty()) {
      return Future.succeededFuture(Reply.ephemeral("Usage: `/valentia halt REASON`"));
    }
    String reason = String.join(" ", args);
    JsonObject request = new JsonObject().put("by", actor).put("reason", reason);
    return vertx
        .eventBus()
        .<JsonObject>request(HALT_ADDRESS, request)
        .map(
            answer ->
                Reply.inChannel(
                    "All chaos halted by "
                        + actor.substring("slack:".length())
                        + ": "
                        + reason
                        + " ("
                        + answer.body().getInteger("revertedFaults", 0)
                        + " fault(s) reverted)."))
        .recover(
            e ->
                Future.succeededFuture(
                    Reply.failed(
                        "Chaos was NOT halted: the chaos role does not answer here ("
                            + e.getMessage()
                            + "). Use `valentia halt` on a machine that runs it.")));
  }

  private static String usage() {
    return "Commands: `/valentia status` · `/valentia ack INCIDENT` ·"
        + " `/valentia silence MATCHER... DURATION [COMMENT]` · `/valentia halt REASON`";
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private void audit(String actor, String role, String verb, String text, String outcome) {
    Audit entry =
        new Audit(
            actor,
            role,
            "slack." + verb,
            "slack/commands",
            outcome,
            null,
            EventCodec.MAPPER.createObjectNode().put("text", text));
    publisher.publish(
        Topics.EVENTS,
        actor,
        CloudEvent.of(entry).source("/notifications/slack").subject(actor).build());
  }

  /** The fields of an {@code application/x-www-form-urlencoded} body. */
  static Map<String, String> form(String body) {
    // the raw body is kept for the signature; the form itself is decoded as browsers encode it
    Map<String, String> out = new LinkedHashMap<>();
    new QueryStringDecoder(body, StandardCharsets.UTF_8, false)
        .parameters()
        .forEach((key, values) -> out.put(key, values.isEmpty() ? "" : values.get(0)));
    return out;
  }

  /** What the command answers: shown to the user only, or to the channel. */
  record Reply(String responseType, String text, String outcome) {
    static Reply ephemeral(String text) {
      return new Reply("ephemeral", text, "success");
    }

    static Reply inChannel(String text) {
      return new Reply("in_channel", text, "success");
    }

    static Reply denied(String text) {
      return new Reply("ephemeral", text, "denied");
    }

    static Reply failed(String text) {
      return new Reply("ephemeral", text, "failure");
    }
  }
}
