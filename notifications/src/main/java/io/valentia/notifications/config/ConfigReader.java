package io.valentia.notifications.config;

import static io.valentia.notifications.config.ConfigValues.NOT_SUPPORTED;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.notifications.route.InhibitRule;
import io.valentia.notifications.route.Route;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code notifications:} section into a {@link NotificationsConfig} with {@link
 * ConfigSection}, collecting every problem with its key path instead of stopping at the first. The
 * checks are Alertmanager's ({@code config/config.go}); keys it does not know, and Alertmanager
 * features Valentia does not implement (templates, time intervals, secrets read from files, HTTP
 * client settings), are problems too, so nothing pasted in is silently ignored. The parts are read
 * by {@link RouteReader}, {@link ReceiverReader} and {@link InhibitRuleReader}, from the values of
 * {@link ConfigValues}.
 */
final class ConfigReader {
  private static final Set<String> TOP_KEYS =
      Set.of("external_url", "route", "receivers", "inhibit_rules", "delivery", "slack");

  private static final Field<URI> EXTERNAL_URL =
      ConfigValues.url("external_url").withDefault(NotificationsConfig.DEFAULT_EXTERNAL_URL);

  NotificationsConfig read(JsonNode node) {
    ConfigSection section = ConfigSection.of(node);
    if (!node.isObject()) {
      throw new ConfigException(
          INVALID, List.of("must be a mapping (route, receivers, inhibit_rules, ...)"));
    }
    section.checkKeyNames(TOP_KEYS, NOT_SUPPORTED);
    URI externalUrl = section.get(EXTERNAL_URL);
    List<ReceiverConfig> receivers = ReceiverReader.receivers(section.section("receivers"));
    Set<String> names = new HashSet<>();
    receivers.forEach(r -> names.add(r.name()));
    Route route = null;
    if (section.has("route")) {
      Route.Spec spec = RouteReader.root(section.section("route"), names);
      if (spec != null) {
        route = Route.tree(spec);
      }
    } else if (!receivers.isEmpty()) {
      section.problem("route", "missing: receivers are configured but no route sends to them");
    }
    List<InhibitRule> inhibitRules =
        InhibitRuleReader.inhibitRules(section.section("inhibit_rules"));
    section.throwIfProblems(INVALID);
    return new NotificationsConfig(
        externalUrl, route, receivers, inhibitRules, node.path("delivery"), node.path("slack"));
  }

  /** What a {@link ConfigException} of this section says first. */
  static final String INVALID = "invalid notifications configuration";
}
