package io.valentia.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.HealthSource;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health} (and {@code HEAD}): the process's health report as JSON, 503 when it is
 * {@link HealthReport#ERR}, 500 when no report could be made.
 */
final class HealthEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(HealthEndpoint.class);

  private final HealthSource health;

  HealthEndpoint(HealthSource health) {
    this.health = health;
  }

  /** The route handler. */
  void handle(RoutingContext ctx) {
    Future<HealthReport> pending;
    try {
      pending = health.report();
    } catch (RuntimeException e) {
      pending = Future.failedFuture(e);
    }
    pending
        .onSuccess(
            report ->
                ctx.response()
                    .setStatusCode(HealthReport.ERR.equals(report.status()) ? 503 : 200)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json(report)))
        .onFailure(
            e -> {
              LOG.warn("health report failed", e);
              WebVerticle.error(ctx, 500, "health report failed: " + e.getMessage());
            });
  }

  private static String json(Object value) {
    try {
      return EventCodec.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
