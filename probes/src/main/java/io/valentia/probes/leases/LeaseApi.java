package io.valentia.probes.leases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The lease HTTP API (mounted at {@code /leases} under {@code /api/v1}): {@code GET /}, {@code POST
 * /}, {@code GET /:id}, {@code POST /:id/renew}, {@code DELETE /:id} and {@code POST /:id/revoke}.
 * It checks and answers requests; the leases' lifecycle (watching lessees, keeping leases in the
 * state, publishing) stays in {@link LeaseVerticle}, on whose context its handlers run.
 */
final class LeaseApi {
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");

  private final LeaseVerticle service;
  private final LeaseTable table;
  private final Clock clock;

  LeaseApi(LeaseVerticle service, LeaseTable table, Clock clock) {
    this.service = service;
    this.table = table;
    this.clock = clock;
  }

  /** Adds the API's routes to {@code router}. */
  void mount(Router router) {
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route(HttpMethod.GET, "/").handler(this::list);
    router.route(HttpMethod.POST, "/").handler(this::grant);
    router.route(HttpMethod.GET, "/:id").handler(this::get);
    router.route(HttpMethod.POST, "/:id/renew").handler(this::renew);
    router.route(HttpMethod.DELETE, "/:id").handler(this::revoke);
    router.route(HttpMethod.POST, "/:id/revoke").handler(this::revoke);
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
        || term.asLong() < LeaseVerticle.MIN_TERM_MS
        || term.asLong() > LeaseVerticle.MAX_TERM_MS) {
      problems.add(
          "termMs: must be an integer from "
              + LeaseVerticle.MIN_TERM_MS
              + " to "
              + LeaseVerticle.MAX_TERM_MS
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
        service.watch(lease, lesseePid);
      } catch (IllegalArgumentException e) {
        table.end(lease.id());
        error(ctx, 400, List.of("lessee.pid: " + e.getMessage()));
        return;
      }
    }
    service
        .keep(lease)
        .onSuccess(
            v -> {
              service.publish(
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
                service
                    .forget(lease)
                    .onComplete(
                        done -> {
                          service.publish(
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
