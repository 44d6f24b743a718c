package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventPublisher;
import io.valentia.eventbus.ReceivedEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaEventSubscriber;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the {@link IncidentDetector} over {@code valentia.events} (consumer group {@code
 * valentia-incidents}, new events only) and serves {@code /api/v1/incidents}: {@code GET /} lists,
 * {@code GET /:id} shows, {@code POST /:id/status} with {@code {"status": "mitigated"}} moves an
 * incident along its lifecycle. At start, the incidents are read back from their {@code incident.*}
 * events on the log ({@link IncidentLog}), so they survive a restart. All detector state is touched
 * on this verticle's event loop.
 */
public final class IncidentVerticle extends VerticleBase {
  public static final String PATH = "/incidents";
  public static final String GROUP = "valentia-incidents";

  /** How long reading back the incidents at start may take. */
  static final java.time.Duration REPLAY_TIMEOUT = java.time.Duration.ofMinutes(5);

  private final KafkaSettings kafka;
  private final KafkaEventPublisher publisher;
  private final IncidentDetector detector;
  private KafkaEventSubscriber subscriber;

  public IncidentVerticle(
      KafkaSettings kafka, KafkaEventPublisher publisher, DetectionRules rules) {
    this.kafka = kafka;
    this.publisher = publisher;
    this.detector = new IncidentDetector(rules);
  }

  @Override
  public Future<?> start() {
    return vertx
        .executeBlocking(() -> IncidentLog.read(kafka, REPLAY_TIMEOUT))
        .map(
            events -> {
              events.forEach(detector::restore);
              subscriber =
                  KafkaEventSubscriber.start(
                      vertx,
                      kafka,
                      KafkaEventSubscriber.Options.of(GROUP, Topics.EVENTS),
                      this::handle,
                      publisher);
              return null;
            });
  }

  private Future<Void> handle(ReceivedEvent received) {
    return publishAll(detector.accept(received.event()));
  }

  private Future<Void> publishAll(List<CloudEvent> events) {
    List<Future<EventPublisher.RecordPosition>> sent = new ArrayList<>();
    for (CloudEvent event : events) {
      sent.add(publisher.publish(event));
    }
    return Future.all(sent).mapEmpty();
  }

  /** The routes to mount at {@link #PATH}; handlers run on this verticle's context. */
  public Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.get("/").handler(ctx -> onContext(ctx, () -> list(ctx)));
    router.get("/:id").handler(ctx -> onContext(ctx, () -> show(ctx)));
    router.post("/:id/status").handler(ctx -> onContext(ctx, () -> move(ctx)));
    return router;
  }

  /**
   * The incident {@code id} as the API shows it ({@code id}, {@code title}, {@code status}, {@code
   * severity}, {@code rule}, {@code opened}, {@code lastActivity}, {@code subjects}, {@code
   * experiments}, {@code evidence}); null when there is none. Safe from any thread.
   */
  public Future<JsonObject> describe(String id) {
    io.vertx.core.Promise<JsonObject> answer = io.vertx.core.Promise.promise();
    context.runOnContext(
        v -> answer.complete(detector.incident(id).map(IncidentVerticle::json).orElse(null)));
    return answer.future();
  }

  private void onContext(RoutingContext ctx, Runnable action) {
    context.runOnContext(v -> action.run());
  }

  private void list(RoutingContext ctx) {
    JsonArray all = new JsonArray();
    detector.incidents().forEach(i -> all.add(json(i)));
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("incidents", all).encode());
  }

  private void show(RoutingContext ctx) {
    detector
        .incident(ctx.pathParam("id"))
        .ifPresentOrElse(
            i ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json(i).encode()),
            () -> error(ctx, 404, "no incident " + ctx.pathParam("id")));
  }

  private void move(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      error(ctx, 400, "the body must be a JSON object such as {\"status\":\"mitigated\"}");
      return;
    }
    String status = body == null ? null : body.getString("status");
    if (status == null || !Incident.STATUSES.contains(status)) {
      error(ctx, 400, "status must be one of " + Incident.STATUSES);
      return;
    }
    String by = body.getString("by", "api");
    List<CloudEvent> events;
    try {
      events = detector.move(ctx.pathParam("id"), status, by, Instant.now());
    } catch (IllegalArgumentException e) {
      error(ctx, e.getMessage().startsWith("no incident") ? 404 : 409, e.getMessage());
      return;
    }
    publishAll(events)
        .onSuccess(
            v ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json(detector.incident(ctx.pathParam("id")).orElseThrow()).encode()))
        .onFailure(e -> error(ctx, 503, "could not publish the change: " + e.getMessage()));
  }

  static JsonObject json(Incident i) {
    return new JsonObject()
        .put("id", i.id())
        .put("title", i.title())
        .put("status", i.status())
        .put("severity", i.severity())
        .put("rule", i.rule())
        .put("opened", i.opened().toString())
        .put("lastActivity", i.lastActivity().toString())
        .put("subjects", new JsonArray(i.subjects()))
        .put("experiments", new JsonArray(i.experiments()))
        .put("evidence", new JsonArray(i.evidence()));
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  @Override
  public Future<?> stop() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
