package io.valentia.app;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.health.CheckMute;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.HealthTables;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.HealthMuted;
import io.valentia.eventbus.service.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code /api/v1/health}: mute and unmute checks. A mute is written to {@code valentia.state.mutes}
 * (keyed by the check; unmuting writes a tombstone), which every process reads, so it shows in
 * every process's {@code /health} and survives restarts; each change is also published as a {@code
 * health.muted} event for the history (the web gateway audits each request). A mute's end by its
 * time, or by the check clearing or growing, is worked out when the health is read.
 *
 * <ul>
 *   <li>{@code POST /api/v1/health/mute} {@code {"check": "MTU_MISMATCH", "ttl": "1h", "sticky":
 *       false}} ({@code ttl} optional: 30s, 15m, 2h, 1d; none mutes until unmuted)
 *   <li>{@code DELETE /api/v1/health/mute/CHECK}
 * </ul>
 *
 * <p>A mute of a check that is not raised now is refused (404, with the checks that are) unless it
 * is {@code sticky}: only a sticky mute outlives the check clearing, so it is the way to mute a
 * check before it is raised. Unmuting a check that is not muted is refused (404, with the muted
 * checks).
 */
final class HealthApi {
  private final EventPublisher publisher;
  private final HealthTables tables;
  private final Supplier<Future<HealthReport>> health;

  /**
   * @param health this process's health report, whose checks are the ones a mute can name
   */
  HealthApi(EventPublisher publisher, HealthTables tables, Supplier<Future<HealthReport>> health) {
    this.publisher = publisher;
    this.tables = tables;
    this.health = health;
  }

  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.post("/mute").handler(BodyHandler.create().setBodyLimit(16 * 1024)).handler(this::mute);
    router.delete("/mute/:check").handler(this::unmute);
    return router;
  }

  private void mute(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null || !(body.getValue("check") instanceof String check) || check.isBlank()) {
      error(ctx, 400, "the body must be {\"check\": NAME, \"ttl\": \"1h\", \"sticky\": false}");
      return;
    }
    Instant until = null;
    if (body.getValue("ttl") != null) {
      try {
        until = Instant.now().plus(ttl(String.valueOf(body.getValue("ttl"))));
      } catch (IllegalArgumentException e) {
        error(ctx, 400, e.getMessage());
        return;
      }
    }
    boolean sticky = Boolean.TRUE.equals(body.getValue("sticky"));
    Instant ends = until;
    health
        .get()
        .onFailure(e -> error(ctx, 503, "cannot read the health checks: " + e.getMessage()))
        .onSuccess(
            report -> {
              if (!sticky && !report.checks().containsKey(check)) {
                error(
                    ctx,
                    404,
                    "no check "
                        + check
                        + " is raised now (raised: "
                        + names(report.checks().keySet())
                        + "); a sticky mute can name a check before it is raised");
                return;
              }
              String by = actor(ctx);
              CheckMute mute = tables.mute(check, ends, sticky, by, Instant.now());
              record(
                  ctx,
                  tables.mutes().put(check, mute),
                  new HealthMuted(check, true, ends, sticky, by),
                  check);
            });
  }

  private void unmute(RoutingContext ctx) {
    String check = ctx.pathParam("check");
    if (tables.mutes().get(check).isEmpty()) {
      error(
          ctx,
          404,
          check + " is not muted (muted: " + names(tables.mutes().snapshot().keySet()) + ")");
      return;
    }
    record(
        ctx,
        tables.mutes().remove(check),
        new HealthMuted(check, false, null, false, actor(ctx)),
        check);
  }

  /** Answers once the state is written and the event published. */
  private void record(
      RoutingContext ctx, CompletableFuture<Void> written, HealthMuted change, String check) {
    CloudEvent event = CloudEvent.of(change).source("/api/health").subject(check).build();
    Future.fromCompletionStage(written, ctx.vertx().getOrCreateContext())
        .compose(v -> publisher.publish(event))
        .onSuccess(
            position ->
                ctx.response()
                    .setStatusCode(202)
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put("check", check)
                            .put("muted", change.muted())
                            .put("until", change.until() == null ? null : change.until().toString())
                            .put("sticky", change.sticky())
                            .put("event", event.id())
                            .encode()))
        .onFailure(e -> error(ctx, 503, "could not record the change in Kafka: " + e.getMessage()));
  }

  /** {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}. */
  static Duration ttl(String text) {
    var m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd])").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "ttl must be a number and a unit (s, m, h, d), e.g. 1h; found \"" + text + "\"");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private static String names(Collection<String> checks) {
    return checks.isEmpty() ? "none" : String.join(", ", new TreeSet<>(checks));
  }

  private static String actor(RoutingContext ctx) {
    String name = ctx.get(ApiRoutes.PRINCIPAL_NAME);
    return name == null ? "unknown" : name;
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
