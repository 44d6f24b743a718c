package io.valentia.notifications.receiver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook payload, version 4, so a receiver written for Alertmanager works
 * unchanged: {@code version}, {@code groupKey}, {@code truncatedAlerts}, {@code status}, {@code
 * receiver}, {@code groupLabels}, {@code commonLabels}, {@code commonAnnotations}, {@code
 * externalURL} and {@code alerts}. As in Alertmanager, {@code max_alerts} cuts the list first and
 * the status and common labels are those of the alerts sent; a firing alert's {@code endsAt} is
 * Go's zero time.
 */
public final class WebhookMessage {
  /** Go's zero {@code time.Time}, as Alertmanager writes the end of an alert still firing. */
  public static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private WebhookMessage() {}

  /** The payload for {@code n} (already filtered for {@code send_resolved}). */
  public static ObjectNode render(ReceiverConfig.Webhook config, Notification n, URI externalUrl) {
    List<Alert> alerts = n.alerts();
    int truncated = 0;
    if (config.maxAlerts() > 0 && alerts.size() > config.maxAlerts()) {
      truncated = alerts.size() - config.maxAlerts();
      alerts = alerts.subList(0, config.maxAlerts());
    }
    Notification sent =
        new Notification(
            n.id(), n.receiver(), n.groupKey(), n.groupLabels(), alerts, n.createdAt());
    ObjectNode json = EventCodec.MAPPER.createObjectNode();
    json.put("version", "4");
    json.put("groupKey", n.groupKey());
    json.put("truncatedAlerts", truncated);
    json.put("status", sent.status());
    json.put("receiver", n.receiver());
    json.set("groupLabels", kv(n.groupLabels()));
    json.set("commonLabels", kv(sent.commonLabels()));
    json.set("commonAnnotations", kv(sent.commonAnnotations()));
    json.put("externalURL", externalUrl == null ? "" : externalUrl.toString());
    ArrayNode list = json.putArray("alerts");
    for (Alert a : alerts) {
      boolean firing = MessageText.firing(n, a);
      ObjectNode alert = list.addObject();
      alert.put("status", firing ? "firing" : "resolved");
      alert.set("labels", kv(a.labels()));
      alert.set("annotations", kv(a.annotations()));
      alert.put("startsAt", goTime(a.startsAt()));
      alert.put("endsAt", firing ? ZERO_TIME : goTime(a.endsAt()));
      alert.put("generatorURL", a.generatorUrl() == null ? "" : a.generatorUrl());
      alert.put("fingerprint", a.fingerprint());
    }
    return json;
  }

  /**
   * {@code t} as Go's {@code time.Time} marshals to JSON (RFC 3339 with nanoseconds, trailing zeros
   * of the fraction left out); {@link #ZERO_TIME} for null.
   */
  public static String goTime(Instant t) {
    if (t == null) {
      return ZERO_TIME;
    }
    String seconds = t.truncatedTo(ChronoUnit.SECONDS).toString();
    seconds = seconds.substring(0, seconds.length() - 1);
    int nanos = t.getNano();
    if (nanos == 0) {
      return seconds + "Z";
    }
    String fraction = String.format("%09d", nanos).replaceAll("0+$", "");
    return seconds + "." + fraction + "Z";
  }

  private static ObjectNode kv(Map<String, String> map) {
    ObjectNode node = EventCodec.MAPPER.createObjectNode();
    map.forEach(node::put);
    return node;
  }
}
