package io.valentia.notifications.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.NotificationsVerticle;
import io.valentia.notifications.config.ReceiverConfig;
import io.valentia.notifications.route.Route;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code /api/v1/notifications}: what the notification pipeline is doing.
 *
 * <ul>
 *   <li>{@code GET /}: the receivers with their integrations and delivery state, the routing tree
 *       and the number of groups
 *   <li>{@code GET /log?limit=N}: the latest deliveries (recorded, failed attempts, delivered,
 *       given up), newest first
 *   <li>{@code GET /groups}: the groups and their alerts
 *   <li>{@code POST /test} {@code {"receiver": NAME}}: sends a test message to every integration of
 *       a receiver (operator)
 * </ul>
 */
public final class NotificationsApi {
  private final NotificationsVerticle pipeline;

  public NotificationsApi(NotificationsVerticle pipeline) {
    this.pipeline = pipeline;
  }

  /** Adds the routes to {@code router}. */
  public Router mount(Router router) {
    router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.route(HttpMethod.GET, "/").handler(this::overview);
    router.route(HttpMethod.GET, "/log").handler(this::log);
    router.route(HttpMethod.GET, "/groups").handler(this::groups);
    router.route(HttpMethod.POST, "/test").handler(this::test);
    return router;
  }

  private void overview(RoutingContext ctx) {
    ObjectNode out = EventCodec.MAPPER.createObjectNode();
    out.put("enabled", pipeline.notificationsConfig().route() != null);
    out.put("externalUrl", pipeline.notificationsConfig().externalUrl().toString());
    ArrayNode receivers = out.putArray("receivers");
    for (ReceiverConfig r : pipeline.notificationsConfig().receivers()) {
      ObjectNode receiver = receivers.addObject();
      receiver.put("name", r.name());
      ArrayNode integrations = receiver.putArray("integrations");
      r.slack()
          .forEach(
              c -> integrations.addObject().put("kind", "slack").put("url", redact(c.apiUrl())));
      r.mattermost()
          .forEach(
              c ->
                  integrations
                      .addObject()
                      .put("kind", "mattermost")
                      .put("url", redact(c.webhookUrl())));
      r.discord()
          .forEach(
              c ->
                  integrations
                      .addObject()
                      .put("kind", "discord")
                      .put("url", redact(c.webhookUrl())));
      r.webhooks()
          .forEach(
              c -> integrations.addObject().put("kind", "webhook").put("url", redact(c.url())));
    }
    out.set("delivery", EventCodec.MAPPER.valueToTree(pipeline.outbox().receivers()));
    if (pipeline.notificationsConfig().route() != null) {
      out.set("route", route(pipeline.notificationsConfig().route()));
    }
    pipeline
        .groups()
        .onSuccess(
            groups -> {
              out.put("groups", groups.size());
              Roles.Json.ok(ctx, 200, out.toString());
            })
        .onFailure(e -> Roles.Json.error(ctx, 500, e.getMessage()));
  }

  /** The routing tree: receiver, matchers, grouping, timers and children of each route. */
  static ObjectNode route(Route route) {
    ObjectNode node = EventCodec.MAPPER.createObjectNode();
    node.put("receiver", route.receiver());
    ArrayNode matchers = node.putArray("matchers");
    route.matchers().forEach(m -> matchers.add(m.toString()));
    ArrayNode groupBy = node.putArray("group_by");
    if (route.groupByAll()) {
      groupBy.add("...");
    } else {
      route.groupBy().forEach(groupBy::add);
    }
    node.put("group_wait", route.groupWait().toString());
    node.put("group_interval", route.groupInterval().toString());
    node.put("repeat_interval", route.repeatInterval().toString());
    node.put("continue", route.continueMatching());
    ArrayNode routes = node.putArray("routes");
    route.routes().forEach(child -> routes.add(route(child)));
    return node;
  }

  /**
   * A webhook address without its secret part: Slack's, Mattermost's and Discord's webhook URLs are
   * credentials, so only the scheme, host and the first path segment are shown.
   */
  static String redact(java.net.URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    String[] parts = path.split("/");
    String shown = parts.length > 1 ? "/" + parts[1] + "/…" : "";
    return uri.getScheme() + "://" + uri.getAuthority() + shown;
  }

  private void log(RoutingContext ctx) {
    int limit;
    try {
      limit =
          Integer.parseInt(
              ctx.queryParams().get("limit") == null ? "50" : ctx.queryParams().get("limit"));
    } catch (NumberFormatException e) {
      Roles.Json.error(ctx, 400, "limit must be a number");
      return;
    }
    if (limit < 1 || limit > 1000) {
      Roles.Json.error(ctx, 400, "limit must be between 1 and 1000");
      return;
    }
    Roles.Json.ok(
        ctx, 200, EventCodec.MAPPER.valueToTree(pipeline.outbox().recent(limit)).toString());
  }

  private void groups(RoutingContext ctx) {
    pipeline
        .groups()
        .onSuccess(g -> Roles.Json.ok(ctx, 200, EventCodec.MAPPER.valueToTree(g).toString()))
        .onFailure(e -> Roles.Json.error(ctx, 500, e.getMessage()));
  }

  private void test(RoutingContext ctx) {
    if (!Roles.require(ctx, "operator")) {
      return;
    }
    String receiver;
    try {
      receiver = EventCodec.MAPPER.readTree(ctx.body().asString()).path("receiver").asText("");
    } catch (Exception e) {
      Roles.Json.error(ctx, 400, "the body is not JSON: " + e.getMessage());
      return;
    }
    if (pipeline.notificationsConfig().receivers().stream()
        .noneMatch(r -> r.name().equals(receiver))) {
      Roles.Json.error(
          ctx,
          404,
          "no receiver "
              + (receiver.isEmpty() ? "named (give {\"receiver\": NAME})" : receiver)
              + "; configured: "
              + pipeline.notificationsConfig().receivers().stream()
                  .map(ReceiverConfig::name)
                  .toList());
      return;
    }
    pipeline
        .outbox()
        .test(receiver)
        .onSuccess(r -> Roles.Json.ok(ctx, 200, EventCodec.MAPPER.valueToTree(r).toString()))
        .onFailure(e -> Roles.Json.error(ctx, 502, "the test message failed: " + e.getMessage()));
  }
}
