package io.valentia.web;

import io.valentia.web.auth.RolePolicy;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * A change not answered within {@link WebConfig#kafkaWait} (Kafka down or slow: every change is
 * written to Kafka before it is answered) is answered 503 with {@code Retry-After}, instead of
 * leaving the client waiting for the producer's own timeouts. Halt is left alone: it answers on its
 * own, having acted locally whether or not Kafka takes the news.
 */
final class ChangeDeadline {
  private final Vertx vertx;
  private final Duration kafkaWait;

  ChangeDeadline(Vertx vertx, Duration kafkaWait) {
    this.vertx = vertx;
    this.kafkaWait = kafkaWait;
  }

  /** The route handler: arms the deadline for a change and passes the request on. */
  void handle(RoutingContext ctx) {
    if (!RolePolicy.isMutation(ctx.request().method())
        || RolePolicy.resource(ctx.normalizedPath()).equals("halt")) {
      ctx.next();
      return;
    }
    long seconds = Math.max(1, kafkaWait.toSeconds());
    long timer =
        vertx.setTimer(
            Math.max(1, kafkaWait.toMillis()),
            id -> {
              if (!ctx.response().headWritten() && !ctx.response().closed()) {
                ctx.response().putHeader("Retry-After", Long.toString(Math.max(5, seconds)));
                WebVerticle.error(
                    ctx,
                    503,
                    "the change was not confirmed within "
                        + kafkaWait.toMillis()
                        + " ms (is Kafka reachable? see /health): it may still take effect when"
                        + " Kafka answers, so check before you send it again");
              }
            });
    ctx.addEndHandler(done -> vertx.cancelTimer(timer));
    ctx.next();
  }
}
