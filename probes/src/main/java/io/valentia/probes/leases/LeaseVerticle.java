package io.valentia.probes.leases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LeaseExpired;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease service: grants resources to lessees for a term, renews them on heartbeat, expires them
 * when the heartbeats stop, revokes them on the lessor's request or when the lessee's process ends
 * (exit: {@code lessee-exit}, killed by a signal: {@code lessee-crash}), and publishes {@code
 * lease.granted}, {@code lease.revoked} and {@code lease.expired}. Its {@link #router()} serves the
 * HTTP API (mounted at {@code /leases} under {@code /api/v1}).
 *
 * <p>With state tables, the leases it grants are kept in {@link Topics#STATE_LEASES} (written when
 * granted, before the grant is answered; removed when they end), and a restarted service takes its
 * own leases back from there with a fresh term.
 */
public final class LeaseVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseVerticle.class);
  static final long MIN_TERM_MS = 100;
  static final long MAX_TERM_MS = 86_400_000;
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");

  private final EventPublisher publisher;
  private final StateTables tables;
  private final Consumer<String> console;
  private final String source;
  private final boolean kernelProcessEvents;
  private final LeaseTable table = new LeaseTable();
  private final Clock clock = Clock.systemUTC();
  private final Router router;
  private volatile ProcessExitWatcher exits;
  private volatile StateTable<GrantedLease> state;
  private Context context;
  private long timer = -1;

  /**
   * @param router an empty router, created with the Vert.x instance this verticle runs on; the
   *     verticle adds its routes when it starts
   * @param kernelProcessEvents whether to watch lessee pids through the kernel's process events
   */
  public LeaseVerticle(
      EventPublisher publisher, String host, Router router, boolean kernelProcessEvents) {
    this(publisher, null, line -> {}, host, router, kernelProcessEvents);
  }

  /**
   * @param tables where the leases are kept ({@link Topics#STATE_LEASES}) and read back from after
   *     a restart; null to keep them only in memory
   * @param console where the one-time lines of the lease table's migration go
   */
  public LeaseVerticle(
      EventPublisher publisher,
      StateTables tables,
      Consumer<String> console,
      String host,
      Router router,
      boolean kernelProcessEvents) {
    this.publisher = publisher;
    this.tables = tables;
    this.console = console;
    this.source = "/leases/" + host;
    this.router = router;
    this.kernelProcessEvents = kernelProcessEvents;
  }

  /**
   * The API: {@code GET /}, {@code POST /}, {@code GET /:id}, {@code POST /:id/renew}, {@code
   * DELETE /:id}.
   */
  public Router router() {
    return router;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route(HttpMethod.GET, "/").handler(this::list);
    router.route(HttpMethod.POST, "/").handler(this::grant);
    router.route(HttpMethod.GET, "/:id").handler(this::get);
    router.route(HttpMethod.POST, "/:id/renew").handler(this::renew);
    router.route(HttpMethod.DELETE, "/:id").handler(this::revoke);
    router.route(HttpMethod.POST, "/:id/revoke").handler(this::revoke);
    timer = vertx.setPeriodic(50, id -> expire());
    return vertx
        .executeBlocking(() -> new ProcessExitWatcher(kernelProcessEvents))
        .onSuccess(
            w -> {
              exits = w;
              LOG.info("lease service: lessee processes watched by {}", w.mode());
            })
        .compose(w -> restore());
  }

  /**
   * Builds the lease table from the old history if that was never done, reads it, and takes back
   * the leases this service granted before it restarted.
   */
  private Future<?> restore() {
    if (tables == null) {
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(
            () -> {
              StateTable<GrantedLease> leases =
                  tables.open(Topics.STATE_LEASES, GrantedLease.class);
              LeaseLog.migrate(new StateMigration(tables, console), leases);
              StateMigration.await(leases.restored(), "read " + Topics.STATE_LEASES);
              state = leases;
              return leases.snapshot().values().stream()
                  .filter(l -> source.equals(l.lessor()))
                  .map(l -> l.restoredAt(clock.instant()))
                  .toList();
            })
        .onSuccess(
            leases -> {
              for (Lease lease : leases) {
                table.restore(lease);
                if (lease.lessee().pid() != null) {
                  watch(lease, lease.lessee().pid());
                }
              }
              if (!leases.isEmpty()) {
                LOG.info("lease service: {} lease(s) restored", leases.size());
              }
            });
  }

  /**
   * Keeps {@code lease} in the lease state; done at once without state tables, failed while the
   * table is still being read (a grant then could not be kept).
   */
  private Future<Void> keep(Lease lease) {
    StateTable<GrantedLease> leases = state;
    if (tables == null) {
      return Future.succeededFuture();
    }
    if (leases == null) {
      return Future.failedFuture("the lease table is still being read; try again");
    }
    return Future.fromCompletionStage(
        leases.put(lease.id(), GrantedLease.of(source, lease)), context);
  }

  /** Removes {@code lease} from the lease state; done at once without state tables. */
  private Future<Void> forget(Lease lease) {
    StateTable<GrantedLease> leases = state;
    return leases == null
        ? Future.succeededFuture()
        : Future.fromCompletionStage(leases.remove(lease.id()), context)
            .onFailure(
                e ->
                    LOG.warn(
                        "could not remove lease {} from the state: {}", lease.id(), e.toString()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    if (exits != null) {
      exits.close();
    }
    return Future.succeededFuture();
  }

  /** How lessee processes are watched, for health details. */
  public String watchMode() {
    return exits == null ? "starting" : exits.mode();
  }

  private void grant(RoutingContext ctx) {
    JsonNode body;
    try {
      body = EventCodec.MAPPER.readTree(ctx.body().asString() == null ? "" : ctx.body().asString());
    } catch (IOException e) {
      error(ctx, 400, List.of("the body is not JSON: " + e.getMessage()));
      return;
    }
    List<String> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      error(
          ctx,
          400,
          List.of("the body must be {\"resource\", \"lessee\": {\"name\", \"pid\"}, \"termMs\"}"));
      return;
    }
    JsonNode resource = body.path("resource");
    if (!resource.isTextual() || !RESOURCE.matcher(resource.asText()).matches()) {
      problems.add("resource: 1 to 200 letters, digits or ._:/- (e.g. hmd-0), found " + resource);
    }
    JsonNode lessee = body.path("lessee");
    JsonNode name = lessee.path("name");
    JsonNode pid = lessee.path("pid");
    if (!lessee.isObject()) {
      problems.add("lessee: must be {\"name\", \"pid\"}, found " + lessee);
    } else {
      if (!name.isTextual() || name.asText().isBlank()) {
        problems.add("lessee.name: must be a non-empty string, found " + name);
      }
      if (!pid.isMissingNode() && !pid.isNull() && (!pid.canConvertToLong() || pid.asLong() < 1)) {
        problems.add("lessee.pid: must be a process id (a positive integer), found " + pid);
      }
    }
    JsonNode term = body.path("termMs");
    if (!term.canConvertToLong()
        || !term.isIntegralNumber()
        || term.asLong() < MIN_TERM_MS
        || term.asLong() > MAX_TERM_MS) {
      problems.add(
          "termMs: must be an integer from "
              + MIN_TERM_MS
              + " to "
              + MAX_TERM_MS
              + ", found "
              + term);
    }
    if (!problems.isEmpty()) {
      error(ctx, 400, problems);
      return;
    }
    Long lesseePid = pid.canConvertToLong() ? pid.asLong() : null;
    Lessee holder = new Lessee(name.asText(), lesseePid);
    Lease lease;
    try {
      lease = table.grant(resource.asText(), holder, term.asLong(), clock.instant());
    } catch (LeaseException.ResourceHeld e) {
      ObjectNode answer = EventCodec.MAPPER.createObjectNode().put("error", e.getMessage());
      answer.set("holder", toJson(e.holder()));
      ctx.response().setStatusCode(409);
      send(ctx, answer);
      return;
    }
    if (lesseePid != null) {
      try {
        watch(lease, lesseePid);
      } catch (IllegalArgumentException e) {
        table.end(lease.id());
        error(ctx, 400, List.of("lessee.pid: " + e.getMessage()));
        return;
      }
    }
    keep(lease)
        .onSuccess(
            v -> {
              publish(
                  new LeaseGranted(
                      lease.id(), lease.resource(), holder, lease.termMs(), lease.expiresAt()),
                  lease);
              ctx.response().setStatusCode(201);
              send(ctx, toJson(lease));
            })
        .onFailure(
            e -> {
              table.end(lease.id());
              error(ctx, 503, List.of("could not record the lease in Kafka: " + e.getMessage()));
            });
  }

  private void watch(Lease lease, long pid) {
    ProcessExitWatcher watcher = exits;
    if (watcher == null) {
      throw new IllegalArgumentException("the process watcher is not running yet");
    }
    watcher
        .watch(pid)
        .thenAccept(status -> context.runOnContext(v -> lesseeEnded(lease.id(), status)));
  }

  private void lesseeEnded(String leaseId, ExitStatus status) {
    table
        .end(leaseId)
        .ifPresent(
            lease -> {
              LOG.info(
                  "lease {} of {} revoked: {} ({})",
                  lease.id(),
                  lease.resource(),
                  status.reason(),
                  status.detail());
              forget(lease);
              publish(
                  new LeaseRevoked(
                      lease.id(),
                      lease.resource(),
                      lease.lessee(),
                      status.reason(),
                      status.detail()),
                  lease);
            });
  }

  private void renew(RoutingContext ctx) {
    try {
      send(ctx, toJson(table.renew(ctx.pathParam("id"), clock.instant())));
    } catch (LeaseException.NoSuchLease e) {
      error(ctx, 404, List.of(e.getMessage()));
    }
  }

  private void revoke(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    table
        .end(id)
        .ifPresentOrElse(
            lease ->
                forget(lease)
                    .onComplete(
                        done -> {
                          publish(
                              new LeaseRevoked(
                                  lease.id(),
                                  lease.resource(),
                                  lease.lessee(),
                                  "lessor-revoke",
                                  "revoked through the lease API"),
                              lease);
                          send(ctx, toJson(lease));
                        }),
            () -> error(ctx, 404, List.of("no active lease " + id)));
  }

  private void list(RoutingContext ctx) {
    ObjectNode answer = EventCodec.MAPPER.createObjectNode();
    ArrayNode leases = answer.putArray("leases");
    table.list().forEach(l -> leases.add(toJson(l)));
    send(ctx, answer);
  }

  private void get(RoutingContext ctx) {
    table
        .get(ctx.pathParam("id"))
        .ifPresentOrElse(
            l -> send(ctx, toJson(l)),
            () -> error(ctx, 404, List.of("no active lease " + ctx.pathParam("id"))));
  }

  private void expire() {
    for (Lease lease : table.expire(clock.instant())) {
      LOG.info("lease {} of {} expired", lease.id(), lease.resource());
      forget(lease);
      publish(
          new LeaseExpired(lease.id(), lease.resource(), lease.lessee(), lease.lastRenewal()),
          lease);
    }
  }

  private void publish(EventPayload payload, Lease lease) {
    CloudEvent event = CloudEvent.of(payload).source(source).subject(lease.resource()).build();
    publisher
        .publish(event)
        .onFailure(e -> LOG.warn("could not publish {}: {}", event.type(), e.toString()));
  }

  /** The JSON form of a lease in the API. */
  static ObjectNode toJson(Lease lease) {
    ObjectNode node = EventCodec.MAPPER.createObjectNode();
    node.put("id", lease.id());
    node.put("resource", lease.resource());
    ObjectNode lessee = node.putObject("lessee");
    lessee.put("name", lease.lessee().name());
    if (lease.lessee().pid() != null) {
      lessee.put("pid", lease.lessee().pid());
    }
    node.put("termMs", lease.termMs());
    node.put("grantedAt", lease.grantedAt().toString());
    node.put("lastRenewal", lease.lastRenewal().toString());
    node.put("expiresAt", lease.expiresAt().toString());
    return node;
  }

  private static void send(RoutingContext ctx, JsonNode body) {
    ctx.response().putHeader("content-type", "application/json").end(body.toString());
  }

  private static void error(RoutingContext ctx, int status, List<String> problems) {
    ObjectNode answer = EventCodec.MAPPER.createObjectNode();
    answer.put("error", problems.get(0));
    ArrayNode list = answer.putArray("problems");
    problems.forEach(list::add);
    ctx.response().setStatusCode(status);
    send(ctx, answer);
  }
}
