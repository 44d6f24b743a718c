package io.valentia.notifications.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.valentia.eventbus.payload.PrometheusAlert;
import io.valentia.notifications.alert.Fingerprints;
import io.valentia.notifications.api.Roles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/alertmanager}: takes Prometheus Alertmanager's webhook (payload version 4)
 * and publishes each alert as an {@code io.valentia.alert.v1} event, so a Prometheus alert can open
 * or join an incident and reach Valentia's own receivers. Point an Alertmanager {@code
 * webhook_configs} entry at it with a bearer token of the responder role ({@code http_config:
 * authorization: {credentials: TOKEN}}).
 *
 * <p>The whole payload is checked before anything is published: a malformed one is refused with
 * every problem listed and publishes nothing. The event's subject is the alert's {@code instance}
 * label (else its fingerprint), its id is derived from the fingerprint, status and start, so a
 * webhook Alertmanager sends again (it repeats every {@code repeat_interval}) is the same event.
 */
public final class AlertmanagerWebhook {
  private final EventPublisher publisher;

  public AlertmanagerWebhook(EventPublisher publisher) {
    this.publisher = publisher;
  }

  /** Adds the route to {@code router} (mounted at {@code /alertmanager}). */
  public Router mount(Router router) {
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.post("/").handler(this::receive);
    return router;
  }

  private void receive(RoutingContext ctx) {
    if (!Roles.require(ctx, "responder")) {
      return;
    }
    JsonNode body;
    try {
      body = EventCodec.MAPPER.readTree(ctx.body().asString());
    } catch (Exception e) {
      Roles.Json.error(ctx, 400, "the body is not JSON: " + e.getMessage());
      return;
    }
    List<String> problems = new ArrayList<>();
    List<CloudEvent> events = events(body, problems);
    if (!problems.isEmpty()) {
      Roles.Json.ok(
          ctx,
          400,
          new JsonObject()
              .put("error", "not an Alertmanager webhook (version 4): " + problems.get(0))
              .put("problems", problems)
              .encode());
      return;
    }
    List<Future<RecordPosition>> sent = new ArrayList<>();
    for (CloudEvent event : events) {
      sent.add(publisher.publish(Topics.EVENTS, Topics.keyOf(event), event));
    }
    Future.all(sent)
        .onSuccess(
            v ->
                Roles.Json.ok(
                    ctx,
                    200,
                    new JsonObject()
                        .put("received", events.size())
                        .put("events", events.stream().map(CloudEvent::id).toList())
                        .encode()))
        .onFailure(e -> Roles.Json.error(ctx, 503, "not published: " + e.getMessage()));
  }

  /**
   * The events of a webhook payload; what is wrong with it goes to {@code problems} (then the
   * events are not to be published). Never throws, whatever the tree. Stateless and thread-safe.
   */
  public static List<CloudEvent> events(JsonNode body, List<String> problems) {
    List<CloudEvent> out = new ArrayList<>();
    if (body == null || !body.isObject()) {
      problems.add("the body must be a JSON object");
      return out;
    }
    if (!"4".equals(body.path("version").asText())) {
      problems.add("version: must be \"4\", was " + body.path("version"));
    }
    JsonNode alerts = body.path("alerts");
    if (!alerts.isArray()) {
      problems.add("alerts: must be an array");
      return out;
    }
    String receiver = body.path("receiver").isTextual() ? body.get("receiver").asText() : null;
    for (int i = 0; i < alerts.size(); i++) {
      String at = "alerts[" + i + "]";
      JsonNode a = alerts.get(i);
      String status = a.path("status").asText(body.path("status").asText(""));
      if (!status.equals("firing") && !status.equals("resolved")) {
        problems.add(at + ".status: must be firing or resolved");
      }
      Map<String, String> labels = strings(a.path("labels"), at + ".labels", problems);
      if (labels.isEmpty()) {
        problems.add(at + ".labels: an alert needs at least one label");
      }
      Map<String, String> annotations =
          strings(a.path("annotations"), at + ".annotations", problems);
      String startsAt = a.path("startsAt").asText("");
      if (startsAt.isEmpty()) {
        problems.add(at + ".startsAt: missing");
      }
      if (!problems.isEmpty()) {
        continue;
      }
      String fingerprint =
          a.path("fingerprint").asText("").matches("[0-9a-f]{1,16}")
              ? a.get("fingerprint").asText()
              : Fingerprints.of(labels);
      String endsAt = a.path("endsAt").isTextual() ? a.get("endsAt").asText() : null;
      PrometheusAlert alert =
          new PrometheusAlert(
              status,
              labels,
              annotations,
              startsAt,
              endsAt,
              a.path("generatorURL").isTextual() ? a.get("generatorURL").asText() : null,
              fingerprint,
              receiver);
      String subject = labels.getOrDefault("instance", fingerprint);
      CloudEvent event =
          CloudEvent.of(alert)
              .id("alert-" + fingerprint + "-" + status + "-" + startsAt)
              .source("/alertmanager" + (receiver == null ? "" : "/" + encoded(receiver)))
              .subject(subject)
              .severity(severityOf(labels.get("severity"), status))
              .build();
      try {
        // what consumers will read: e.g. text that is not valid Unicode (a lone surrogate) is
        // written but cannot be read back
        EventCodec.instance().decode(EventCodec.instance().encode(event));
      } catch (InvalidEventException e) {
        problems.add(at + ": not a valid event: " + e.getMessage());
        continue;
      }
      out.add(event);
    }
    return out;
  }

  /** {@code receiver} as one path segment of a URI reference. */
  private static String encoded(String receiver) {
    return java.net.URLEncoder.encode(receiver, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  private static Severity severityOf(String label, String status) {
    if (status.equals("resolved")) {
      return Severity.INFO;
    }
    if (label == null) {
      return Severity.WARNING;
    }
    return switch (label.toLowerCase(java.util.Locale.ROOT)) {
      case "critical", "page", "error" -> Severity.CRITICAL;
      case "info", "none" -> Severity.INFO;
      default -> Severity.WARNING;
    };
  }

  private static Map<String, String> strings(JsonNode node, String at, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      problems.add(at + ": must be an object of strings");
      return out;
    }
    node.fields()
        .forEachRemaining(
            f -> {
              if (f.getValue().isTextual()) {
                out.put(f.getKey(), f.getValue().asText());
              } else {
                problems.add(at + "." + f.getKey() + ": must be a string");
              }
            });
    return out;
  }
}
