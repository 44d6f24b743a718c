package io.valentia.notifications.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.valentia.notifications.route.InhibitRule;
import io.valentia.notifications.route.Route;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code notifications:} section: Alertmanager's {@code alertmanager.yml} shape ({@code route},
 * {@code receivers}, {@code inhibit_rules}) plus Valentia's own keys. Read with {@link
 * #parse(JsonNode)}, which checks it as Alertmanager does and reports every problem at once.
 *
 * @param externalUrl {@code external_url}: the web UI's address, for links in messages (default
 *     {@code http://127.0.0.1:8080})
 * @param route the routing tree; null when no route is configured: notifications are off
 * @param receivers {@code receivers}, names unique, in order
 * @param inhibitRules {@code inhibit_rules}, in order
 * @param delivery {@code delivery}, as written (retries and the outbox, read by the delivery side);
 *     a {@link MissingNode} when absent, never null
 * @param slack {@code slack}, as written (inbound slash commands); a {@link MissingNode} when
 *     absent, never null
 */
public record NotificationsConfig(
    URI externalUrl,
    Route route,
    List<ReceiverConfig> receivers,
    List<InhibitRule> inhibitRules,
    JsonNode delivery,
    JsonNode slack) {

  /** {@code external_url} when not set. */
  public static final URI DEFAULT_EXTERNAL_URL = URI.create("http://127.0.0.1:8080");

  public NotificationsConfig {
    Objects.requireNonNull(externalUrl, "externalUrl");
    receivers = List.copyOf(receivers);
    inhibitRules = List.copyOf(inhibitRules);
    delivery = delivery == null ? MissingNode.getInstance() : delivery;
    slack = slack == null ? MissingNode.getInstance() : slack;
  }

  /**
   * Reads and checks {@code section}. A missing or null section gives {@link #none()}.
   *
   * @throws io.valentia.eventbus.config.ConfigException listing every problem, each with its key
   *     path
   */
  public static NotificationsConfig parse(JsonNode section) {
    if (section == null || section.isMissingNode() || section.isNull()) {
      return none();
    }
    return new ConfigReader().read(section);
  }

  /** No notifications: no route, no receivers. */
  public static NotificationsConfig none() {
    return new NotificationsConfig(
        DEFAULT_EXTERNAL_URL,
        null,
        List.of(),
        List.of(),
        MissingNode.getInstance(),
        MissingNode.getInstance());
  }

  /** Whether a route is configured, so alerts are routed at all. */
  public boolean enabled() {
    return route != null;
  }

  /** The receiver named {@code name}. */
  public Optional<ReceiverConfig> receiver(String name) {
    return receivers.stream().filter(r -> r.name().equals(name)).findFirst();
  }
}
