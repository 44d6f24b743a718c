package io.valentia.notifications.events;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventHosts;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels every alert raised from an event has ({@code alertname}, {@code type}, {@code source},
 * {@code service} and, where known, {@code subject}, {@code experiment}, {@code incident}, {@code
 * host}), and the links into the web UI the alerts carry.
 */
final class AlertLabels {
  private final String externalUrl;

  /**
   * @param externalUrl the web UI's address, for the links in the alerts
   */
  AlertLabels(URI externalUrl) {
    String url = externalUrl.toString();
    this.externalUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The common labels of an alert {@code alertname} raised by {@code event}, in a new map. */
  Map<String, String> common(CloudEvent event, String alertname) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", alertname);
    labels.put("type", event.type());
    labels.put("source", event.source());
    labels.put("service", serviceOf(event.source()));
    if (event.subject() != null && !event.subject().isBlank()) {
      labels.put("subject", event.subject());
    }
    if (event.experimentId() != null) {
      labels.put("experiment", event.experimentId());
    }
    if (event.incidentId() != null) {
      labels.put("incident", event.incidentId());
    }
    String host = hostOf(event);
    if (host != null) {
      labels.put("host", host);
    }
    return labels;
  }

  /** The first segment of the source, e.g. {@code probes} of {@code /probes/mtu/osd-1}. */
  static String serviceOf(String source) {
    String s = source.startsWith("/") ? source.substring(1) : source;
    int slash = s.indexOf('/');
    return slash < 0 ? s : s.substring(0, slash);
  }

  /**
   * The host the event is about, as its type defines it ({@link EventHosts}), else the {@code host}
   * or {@code hostname} its data names, if any.
   */
  private static String hostOf(CloudEvent event) {
    String host = EventHosts.of(event);
    if (host != null || event.data() == null) {
      return host;
    }
    for (String field : List.of("host", "hostname")) {
      if (event.data().hasNonNull(field) && event.data().get(field).isTextual()) {
        return event.data().get(field).asText();
      }
    }
    return null;
  }

  /** The page {@code path} of the web UI (starting with {@code /}). */
  String page(String path) {
    return externalUrl + path;
  }

  /** The page {@code path} followed by {@code id}, URL-encoded; the home page for a null id. */
  String link(String path, String id) {
    return id == null
        ? externalUrl + "/"
        : externalUrl + path + URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
