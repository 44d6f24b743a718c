package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Incident detection and {@code /api/v1/incidents}: {@code GET /} lists, {@code GET /:id} shows,
 * {@code POST /:id/status} with {@code {"status": "mitigated", "by": "dana"}} moves an incident
 * along its lifecycle.
 *
 * <p>Start: opens {@code valentia.state.incidents}, builds it once from the history of an older
 * release ({@link IncidentMigration}) and starts {@link IncidentStreams}; completes when the table
 * is read and detection runs (its stores restored). Once the table was built, detection starts
 * while the table is still being read. Reads come from the state table, so every process with the
 * postmortem role answers the same. A status move is checked against the table, sent as a status
 * command ({@link IncidentDetector#command}) that detection applies exactly once, and answered when
 * the table shows the new status; 409 when another move took effect first and the lifecycle no
 * longer allows this one; 503 when nothing decides within {@link #MOVE_TIMEOUT} (the command stays
 * on the log and applies once detection runs, if the lifecycle still allows it).
 *
 * <p>A status command is an {@code incident.updated} event on {@code valentia.events}, and is the
 * record of the change there; a command that the lifecycle refuses when detection applies it (two
 * moves racing) stays on the log although the incident did not change.
 */
public final class IncidentVerticle extends VerticleBase {
  public static final String PATH = "/incidents";

  /** How long a status move waits for detection to apply it. */
  static final Duration MOVE_TIMEOUT = Duration.ofSeconds(15);

  /** How long start waits for detection to run (its stores restored). */
  static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final ServiceContext services;
  private final DetectionRules rules;
  private final IncidentStreams.Settings settings;
  private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
  private volatile StateTable<IncidentState> table;
  private volatile IncidentStreams streams;

  private record Waiter(String status, Promise<IncidentState> done) {}

  /** A move that the lifecycle refused after another move took effect first. */
  private static final class Refused extends RuntimeException {
    Refused(Optional<String> why) {
      super(why.orElse("the lifecycle refused the move"), null, false, false);
    }
  }

  /**
   * @param services the role's context: Kafka, the publisher, the state tables, health
   * @param settings where detection runs (application id, state directory)
   */
  public IncidentVerticle(
      ServiceContext services, DetectionRules rules, IncidentStreams.Settings settings) {
    this.services = services;
    this.rules = rules;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(
        () -> {
          StateTable<IncidentState> incidents =
              services.stateTables().open(Topics.STATE_INCIDENTS, IncidentState.class);
          incidents.listen(this::changed);
          StateMigration migration =
              new StateMigration(services.stateTables(), services.console()::println);
          if (migration.done(Topics.STATE_INCIDENTS)) {
            // the usual restart: detection starts while the table is read; its processor reads
            // the table only when its own stores are new, and then waits for it
            streams = startDetection(() -> restored(incidents).snapshot().values());
          }
          try {
            StateMigration.await(incidents.restored(), "read " + Topics.STATE_INCIDENTS);
            IncidentMigration.run(migration, incidents);
            table = incidents;
            if (streams == null) {
              streams = startDetection(() -> incidents.snapshot().values());
            }
            streams.running().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          } catch (Exception e) {
            if (streams != null) {
              streams.close();
              streams = null;
            }
            throw e instanceof TimeoutException || e instanceof ExecutionException
                ? new IllegalStateException(
                    "incident detection did not run within " + START_TIMEOUT.toMinutes() + " min",
                    e)
                : e;
          }
          return null;
        });
  }

  private IncidentStreams startDetection(Supplier<Collection<IncidentState>> seed) {
    return IncidentStreams.start(services.kafka(), settings, rules, seed, services.health());
  }

  /** {@code table} once it is read; blocking, for at most {@link #START_TIMEOUT}. */
  private static StateTable<IncidentState> restored(StateTable<IncidentState> table) {
    try {
      table.restored().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return table;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + Topics.STATE_INCIDENTS, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not read " + Topics.STATE_INCIDENTS, e);
    }
  }

  @Override
  public Future<?> stop() {
    IncidentStreams running = streams;
    return running == null
        ? Future.succeededFuture()
        : vertx.executeBlocking(
            () -> {
              running.close();
              return null;
            });
  }

  /** The detection instance of this verticle (null before start). */
  public IncidentStreams streams() {
    return streams;
  }

  /** The routes to mount at {@link #PATH}. */
  public Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.get("/").handler(this::list);
    router.get("/:id").handler(this::show);
    router.post("/:id/status").handler(this::move);
    return router;
  }

  /**
   * The incident {@code id} as the API shows it ({@code id}, {@code title}, {@code status}, {@code
   * severity}, {@code rule}, {@code opened}, {@code lastActivity}, {@code subjects}, {@code
   * experiments}, {@code evidence}); null when there is none. Safe from any thread.
   */
  public Future<JsonObject> describe(String id) {
    return Future.succeededFuture(find(id).map(IncidentVerticle::json).orElse(null));
  }

  private Optional<IncidentState> find(String id) {
    StateTable<IncidentState> t = table;
    return t == null ? Optional.empty() : t.get(id);
  }

  private void list(RoutingContext ctx) {
    JsonArray all = new JsonArray();
    table.snapshot().values().forEach(i -> all.add(json(i)));
    ok(ctx, new JsonObject().put("incidents", all));
  }

  private void show(RoutingContext ctx) {
    find(ctx.pathParam("id"))
        .ifPresentOrElse(
            i -> ok(ctx, json(i)), () -> error(ctx, 404, "no incident " + ctx.pathParam("id")));
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
    String id = ctx.pathParam("id");
    Optional<IncidentState> current = find(id);
    if (current.isEmpty()) {
      error(ctx, 404, "no incident " + id);
      return;
    }
    Optional<String> refusal = Incident.refusal(id, current.get().status(), status);
    if (refusal.isPresent()) {
      error(ctx, 409, refusal.get());
      return;
    }
    Object by = body.getValue("by");
    CloudEvent command =
        IncidentDetector.command(
            current.get(), status, by instanceof String s ? s : "api", Instant.now());
    Promise<IncidentState> applied = Promise.promise();
    Waiter waiter = new Waiter(status, applied);
    waiters.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(waiter);
    long timer =
        vertx.setTimer(
            MOVE_TIMEOUT.toMillis(),
            t ->
                applied.tryFail(
                    "incident detection did not apply the change within "
                        + MOVE_TIMEOUT.toSeconds()
                        + " s"));
    services
        .publisher()
        .publish(Topics.EVENTS, id, command)
        .onFailure(e -> applied.tryFail("could not send the change: " + e.getMessage()));
    applied
        .future()
        .onComplete(
            result -> {
              vertx.cancelTimer(timer);
              List<Waiter> pending = waiters.get(id);
              if (pending != null) {
                pending.remove(waiter);
              }
              if (result.succeeded()) {
                ok(ctx, json(result.result()));
              } else {
                error(
                    ctx,
                    result.cause() instanceof Refused ? 409 : 503,
                    result.cause().getMessage());
              }
            });
  }

  /** Reader thread of the table: completes the moves waiting for this change. */
  private void changed(String id, IncidentState before, IncidentState after) {
    List<Waiter> pending = waiters.get(id);
    if (pending == null || after == null) {
      return;
    }
    for (Waiter waiter : pending) {
      if (waiter.status().equals(after.status())) {
        waiter.done().tryComplete(after);
      } else if (!Incident.canMove(after.status(), waiter.status())) {
        // another move came first, and the lifecycle no longer allows this one
        waiter.done().tryFail(new Refused(Incident.refusal(id, after.status(), waiter.status())));
      }
    }
  }

  static JsonObject json(IncidentState i) {
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

  private static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
