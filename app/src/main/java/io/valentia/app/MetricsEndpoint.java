package io.valentia.app;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.PrintStream;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} in the Prometheus text format, on a port of its own without authentication:
 * the process's {@link PlatformMeters} (events published and consumed, dead letters, indexer lag,
 * live streams, faults, halts), Vert.x's (HTTP requests by route, method and status) and the JVM's.
 * A port that cannot be bound is reported and the platform runs on without it: metrics are a side
 * channel.
 */
final class MetricsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final ValentiaConfig.Metrics config;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  MetricsEndpoint(ValentiaConfig.Metrics config) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (config.enabled()) {
      Metrics.globalRegistry.add(registry);
    }
  }

  /** Vert.x, with its meters in this endpoint's registry when the endpoint is served. */
  Vertx vertx() {
    if (!config.enabled()) {
      return Vertx.vertx();
    }
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /**
   * Listens; the future completes with the port bound, or -1 when metrics are off or the port could
   * not be bound (said on {@code out}).
   */
  Future<Integer> listen(Vertx vertx, PrintStream out) {
    if (!config.enabled()) {
      return Future.succeededFuture(-1);
    }
    return vertx
        .createHttpServer()
        .requestHandler(request -> answer(vertx, request))
        .listen(config.port(), config.host())
        .map(
            s -> {
              server = s;
              LOG.info("metrics on http://{}:{}/metrics", config.host(), s.actualPort());
              return s.actualPort();
            })
        .recover(
            e -> {
              out.println(
                  "valentia: metrics not served: "
                      + config.host()
                      + ":"
                      + config.port()
                      + " could not be bound ("
                      + e.getMessage()
                      + "); set metrics.port");
              LOG.warn("metrics port {} not bound: {}", config.port(), e.toString());
              return Future.succeededFuture(-1);
            });
  }

  private void answer(Vertx vertx, HttpServerRequest request) {
    if (!"/metrics".equals(request.path())) {
      request.response().setStatusCode(404).end("only /metrics here\n");
      return;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
      return;
    }
    vertx
        .executeBlocking(registry::scrape, false)
        .onSuccess(text -> request.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
        .onFailure(e -> request.response().setStatusCode(500).end(e.toString()));
  }

  /** Stops adding the platform's meters to this registry; the server closes with Vert.x. */
  @Override
  public void close() {
    Metrics.globalRegistry.remove(registry);
    registry.close();
  }
}
