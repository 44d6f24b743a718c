package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.Map;

/**
 * One alert of a Prometheus Alertmanager webhook (payload version 4) received by {@code POST
 * /api/v1/alertmanager}, so that a Prometheus alert can open or join an incident. The event's
 * subject is the alert's {@code instance} label (else its fingerprint).
 *
 * @param status {@code firing} or {@code resolved}
 * @param labels the alert's labels ({@code alertname}, {@code severity}, {@code instance}, ...)
 * @param annotations the alert's annotations ({@code summary}, {@code description}, ...)
 * @param startsAt when the alert started firing (RFC 3339)
 * @param endsAt when it ended (RFC 3339); null or Alertmanager's zero time while it fires
 * @param generatorURL the Prometheus expression browser link; may be null
 * @param fingerprint Alertmanager's fingerprint of the label set (16 hex digits)
 * @param receiver the Alertmanager receiver that sent it; may be null
 */
public record PrometheusAlert(
    String status,
    Map<String, String> labels,
    Map<String, String> annotations,
    String startsAt,
    String endsAt,
    String generatorURL,
    String fingerprint,
    String receiver)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.ALERT;
  }
}
