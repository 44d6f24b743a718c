package io.valentia.probes.leases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
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
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease service: grants resources to lessees for a term, renews them on heartbeat, expires them
 * when the heartbeats stop, revokes them on the lessor's request or when the lessee's process ends
 * (exit: {@code lessee-exit}, killed by a signal: {@code lessee-crash}), and publishes {@code
 * lease.granted}, {@code lease.revoked} and {@code lease.expired}. Its {@link #router()} serves the
 * HTTP API (mounted at {@code /leases} under {@code /api/v1}).
 */
public final class LeaseVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseVerticle.class);
  static final long MIN_TERM_MS = 100;
  static final long MAX_TERM_MS = 86_400_000;
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");

  private final EventPublisher publisher;
  private final KafkaSettings kafka;
  private final String source;
  private final boolean kernelProcessEvents;
  private final LeaseTable table = new LeaseTable();
  private final Clock clock = Clock.systemUTC();
  private final Router router;
  private volatile ProcessExitWatcher exits;
  private Context context;
  private long timer = -1;

  /**
   * @param router an empty router, created with the Vert.x instance this verticle runs on; the
   *     verticle adds its routes when it starts
   * @param kernelProcessEvents whether to watch lessee pids through the kernel's process events
   */
  public LeaseVerticle(
      EventPublisher publisher, String host, Router router, boolean kernelProcessEvents) {
    this(publisher, null, host, router, kernelProcessEvents);
  }

  /**
   * @param kafka where to read back the leases this host had granted before a restart; null to
   *     start empty
   */
  public LeaseVerticle(
      EventPublisher publisher,
      KafkaSettings kafka,
      String host,
      Router router,
      boolean kernelProcessEvents) {
    this.publisher = publisher;
    this.kafka = kafka;
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

  /** Takes back, from the log, the leases this host granted before it restarted. */
  private Future<?> restore() {
    if (kafka == null) {
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(() -> LeaseLog.active(kafka, source, clock.instant()))
        .onSuccess(
            leases -> {
              for (Lease lease : leases) {
                table.restore(lease);
                if (lease.lessee().pid() != null) {
                  watch(lease, lease.lessee().pid());
                }
              }
              if (!leases.isEmpty()) {
                LOG.info("lease service: {} lease(s) restored from the log", leases.size());
              }
            });
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
    publish(
        new LeaseGranted(lease.id(), lease.resource(), holder, lease.termMs(), lease.expiresAt()),
        lease);
    ctx.response().setStatusCode(201);
    send(ctx, toJson(lease));
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
            lease -> {
              publish(
                  new LeaseRevoked(
                      lease.id(),
                      lease.resource(),
                      lease.lessee(),
                      "lessor-revoke",
                      "revoked through the lease API"),
                  lease);
              send(ctx, toJson(lease));
            },
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
