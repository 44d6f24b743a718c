package io.valentia.notifications.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import io.valentia.notifications.route.InhibitRule;
import io.valentia.notifications.route.Matcher;
import io.valentia.notifications.route.Route;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the {@code notifications:} section into a {@link NotificationsConfig} with {@link
 * ConfigSection}, collecting every problem with its key path instead of stopping at the first. The
 * checks are Alertmanager's ({@code config/config.go}); keys it does not know, and Alertmanager
 * features Valentia does not implement (templates, time intervals, secrets read from files, HTTP
 * client settings), are problems too, so nothing pasted in is silently ignored. It is over 400
 * lines because it keeps Alertmanager's checks of routes, receivers and inhibit rules in one place,
 * in the order of {@code config.go}.
 */
final class ConfigReader {
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private static final Set<String> TOP_KEYS =
      Set.of("external_url", "route", "receivers", "inhibit_rules", "delivery", "slack");
  private static final Set<String> ROUTE_KEYS =
      Set.of(
          "receiver",
          "group_by",
          "group_wait",
          "group_interval",
          "repeat_interval",
          "matchers",
          "match",
          "match_re",
          "continue",
          "routes");
  private static final Set<String> RECEIVER_KEYS =
      Set.of("name", "slack_configs", "mattermost_configs", "discord_configs", "webhook_configs");
  private static final Set<String> SLACK_KEYS =
      Set.of(
          "api_url",
          "channel",
          "username",
          "icon_emoji",
          "icon_url",
          "title",
          "text",
          "send_resolved");
  private static final Set<String> MATTERMOST_KEYS =
      Set.of("webhook_url", "channel", "username", "icon_url", "text", "send_resolved");
  private static final Set<String> DISCORD_KEYS =
      Set.of("webhook_url", "title", "message", "send_resolved");
  private static final Set<String> WEBHOOK_KEYS =
      Set.of("url", "send_resolved", "max_alerts", "hmac_secret", "timeout");
  private static final Set<String> INHIBIT_KEYS =
      Set.of(
          "name",
          "source_matchers",
          "target_matchers",
          "source_match",
          "source_match_re",
          "target_match",
          "target_match_re",
          "equal");

  static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(10);

  private static final UnknownKeys NOT_SUPPORTED =
      (key, known) -> "not supported" + hint(key, known);
  private static final Field<URI> EXTERNAL_URL =
      url("external_url").withDefault(NotificationsConfig.DEFAULT_EXTERNAL_URL);
  private static final Field<String> RECEIVER = string("receiver");
  private static final Field<Boolean> CONTINUE = Field.bool("continue").withDefault(false);
  private static final Field<Integer> MAX_ALERTS =
      Field.integer("max_alerts")
          .withDefault(0)
          .validateAll(n -> n >= 0, node -> "must be a whole number, 0 or more (0 for all)");
  private static final Field<Duration> TIMEOUT =
      duration("timeout", false).withDefault(DEFAULT_WEBHOOK_TIMEOUT);

  NotificationsConfig read(JsonNode node) {
    ConfigSection section = ConfigSection.of(node);
    if (!node.isObject()) {
      throw new ConfigException(
          INVALID, List.of("must be a mapping (route, receivers, inhibit_rules, ...)"));
    }
    section.checkKeyNames(TOP_KEYS, NOT_SUPPORTED);
    URI externalUrl = section.get(EXTERNAL_URL);
    List<ReceiverConfig> receivers = receivers(section.section("receivers"));
    Set<String> names = new HashSet<>();
    receivers.forEach(r -> names.add(r.name()));
    Route route = null;
    if (section.has("route")) {
      Route.Spec spec = root(section.section("route"), names);
      if (spec != null) {
        route = Route.tree(spec);
      }
    } else if (!receivers.isEmpty()) {
      section.problem("route", "missing: receivers are configured but no route sends to them");
    }
    List<InhibitRule> inhibitRules = inhibitRules(section.section("inhibit_rules"));
    section.throwIfProblems(INVALID);
    return new NotificationsConfig(
        externalUrl, route, receivers, inhibitRules, node.path("delivery"), node.path("slack"));
  }

  /** What a {@link ConfigException} of this section says first. */
  static final String INVALID = "invalid notifications configuration";

  // ---- route

  private Route.Spec root(ConfigSection node, Set<String> receivers) {
    if (!node.isMapping("must be a mapping")) {
      return null;
    }
    Route.Spec spec = route(node, receivers);
    if (!node.has("receiver")) {
      node.problem("receiver", "missing: the root route must name a default receiver");
    }
    if (node.has("matchers") || node.has("match") || node.has("match_re")) {
      node.problem(
          "", "the root route must not have any matchers: it is the fallback for every alert");
    }
    if (spec.continueMatching()) {
      node.problem("continue", "cannot have continue in the root route");
    }
    return spec;
  }

  private Route.Spec route(ConfigSection node, Set<String> receivers) {
    node.checkKeyNames(ROUTE_KEYS, NOT_SUPPORTED);
    String receiver =
        node.get(
            RECEIVER
                .validate(r -> !r.isEmpty(), "must not be empty")
                .validate(
                    receivers::contains,
                    n -> "undefined receiver \"" + n.asText() + "\" used in route"));
    List<String> groupBy = null;
    boolean groupByAll = false;
    if (node.has("group_by")) {
      ConfigSection list = node.section("group_by");
      List<String> labels = strings(list);
      if (labels != null) {
        groupBy = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
          String label = labels.get(i);
          if (label.equals("...")) {
            groupByAll = true;
          } else if (!LABEL_NAME.matcher(label).matches()) {
            item(list, i, "invalid label name \"" + label + "\"");
          } else if (!seen.add(label)) {
            item(list, i, "duplicated label \"" + label + "\"");
          } else {
            groupBy.add(label);
          }
        }
        if (groupByAll && !groupBy.isEmpty()) {
          list.problem(
              "", "cannot have wildcard group_by ('...') and other labels at the same time");
        }
        if (groupByAll) {
          groupBy = null;
        }
      }
    }
    Duration groupWait = node.get(duration("group_wait", true));
    Duration groupInterval = node.get(duration("group_interval", false));
    Duration repeatInterval = node.get(duration("repeat_interval", false));
    boolean continueMatching = node.get(CONTINUE);
    List<Matcher> matchers = new ArrayList<>();
    matchers.addAll(matchMap(node.section("match"), false));
    matchers.addAll(matchMap(node.section("match_re"), true));
    matchers.addAll(matcherList(node.section("matchers")));
    List<Route.Spec> children = new ArrayList<>();
    for (ConfigSection child : node.section("routes").items("must be a list of routes")) {
      if (mapping(child)) {
        children.add(route(child, receivers));
      }
    }
    return new Route.Spec(
        receiver,
        matchers,
        groupBy,
        groupByAll,
        groupWait,
        groupInterval,
        repeatInterval,
        continueMatching,
        children);
  }

  private static Field<Duration> duration(String key, boolean zeroAllowed) {
    return Field.of(
            key,
            node -> {
              String text = text(node);
              try {
                return Durations.parse(text);
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                    text.isEmpty()
                        ? "empty duration string"
                        : "not a valid duration string: \""
                            + text
                            + "\" (e.g. 30s, 5m, 4h, 1d, 1h30m)");
              }
            })
        .validate(d -> zeroAllowed || !d.isZero(), "cannot be zero");
  }

  // ---- matchers

  private List<Matcher> matcherList(ConfigSection node) {
    List<Matcher> out = new ArrayList<>();
    for (ConfigSection item :
        node.items("must be a list of matchers such as 'severity=\"critical\"'")) {
      if (!item.node().isTextual()) {
        item.problem("", "must be a string such as 'severity=\"critical\"'");
        continue;
      }
      try {
        out.addAll(Matcher.parseList(item.node().asText()));
      } catch (IllegalArgumentException e) {
        item.problem("", e.getMessage());
      }
    }
    return out;
  }

  /** The legacy {@code match:} / {@code match_re:} maps of label name to value or regex. */
  private List<Matcher> matchMap(ConfigSection node, boolean regex) {
    if (node.isAbsent()) {
      return List.of();
    }
    if (!node.isMapping(
        "must be a mapping of label name to " + (regex ? "regular expression" : "value"))) {
      return List.of();
    }
    List<Matcher> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.node().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!LABEL_NAME.matcher(e.getKey()).matches()) {
        node.problem(e.getKey(), "invalid label name \"" + e.getKey() + "\"");
        continue;
      }
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        node.problem(e.getKey(), "must be a string");
        continue;
      }
      String value = e.getValue().asText();
      try {
        if (regex) {
          // Alertmanager keeps match_re values as anchored regular expressions; route keys show it.
          Matcher.regex(e.getKey(), value);
          out.add(Matcher.regex(e.getKey(), "^(?:" + value + ")$"));
        } else {
          out.add(Matcher.equal(e.getKey(), value));
        }
      } catch (IllegalArgumentException ex) {
        node.problem(e.getKey(), ex.getMessage());
      }
    }
    return out;
  }

  // ---- receivers

  private List<ReceiverConfig> receivers(ConfigSection node) {
    List<ReceiverConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigSection r : node.items("must be a list of receivers")) {
      if (!mapping(r)) {
        continue;
      }
      r.checkKeyNames(RECEIVER_KEYS, NOT_SUPPORTED);
      String name =
          r.get(
              string("name")
                  .required("missing name in receiver")
                  .validate(n -> !n.isEmpty(), "must not be empty"));
      if (name != null && !names.add(name)) {
        r.problem("name", "receiver name \"" + name + "\" is not unique");
      }
      List<ReceiverConfig.Slack> slack = list(r, "slack_configs", SLACK_KEYS, this::slack);
      List<ReceiverConfig.Mattermost> mattermost =
          list(r, "mattermost_configs", MATTERMOST_KEYS, this::mattermost);
      List<ReceiverConfig.Discord> discord =
          list(r, "discord_configs", DISCORD_KEYS, this::discord);
      List<ReceiverConfig.Webhook> webhooks =
          list(r, "webhook_configs", WEBHOOK_KEYS, this::webhook);
      if (name != null) {
        out.add(new ReceiverConfig(name, slack, mattermost, discord, webhooks));
      }
    }
    return out;
  }

  private <T> List<T> list(
      ConfigSection receiver, String key, Set<String> keys, Function<ConfigSection, T> reader) {
    List<T> out = new ArrayList<>();
    for (ConfigSection item : receiver.section(key).items("must be a list")) {
      if (!mapping(item)) {
        continue;
      }
      item.checkKeyNames(keys, NOT_SUPPORTED);
      T value = reader.apply(item);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  private ReceiverConfig.Slack slack(ConfigSection n) {
    return new ReceiverConfig.Slack(
        n.get(url("api_url").required("missing: required")),
        n.get(string("channel")),
        n.get(string("username")),
        n.get(string("icon_emoji")),
        n.get(string("icon_url")),
        n.get(string("title")),
        n.get(string("text")),
        n.get(Field.bool("send_resolved").withDefault(false)));
  }

  private ReceiverConfig.Mattermost mattermost(ConfigSection n) {
    return new ReceiverConfig.Mattermost(
        n.get(url("webhook_url").required("missing: required")),
        n.get(string("channel")),
        n.get(string("username")),
        n.get(string("icon_url")),
        n.get(string("text")),
        n.get(Field.bool("send_resolved").withDefault(true)));
  }

  private ReceiverConfig.Discord discord(ConfigSection n) {
    return new ReceiverConfig.Discord(
        n.get(url("webhook_url").required("missing: required")),
        n.get(string("title")),
        n.get(string("message")),
        n.get(Field.bool("send_resolved").withDefault(true)));
  }

  private ReceiverConfig.Webhook webhook(ConfigSection n) {
    URI url = n.get(url("url").required("missing: required"));
    int maxAlerts = n.get(MAX_ALERTS);
    Duration timeout = n.get(TIMEOUT);
    String secret =
        n.get(
            string("hmac_secret")
                .validate(
                    s -> !s.isEmpty(), "must not be empty (leave it out for unsigned requests)"));
    return new ReceiverConfig.Webhook(
        url, n.get(Field.bool("send_resolved").withDefault(true)), maxAlerts, secret, timeout);
  }

  // ---- inhibit rules

  private List<InhibitRule> inhibitRules(ConfigSection node) {
    List<InhibitRule> out = new ArrayList<>();
    for (ConfigSection r : node.items("must be a list of inhibition rules")) {
      if (!mapping(r)) {
        continue;
      }
      r.checkKeyNames(INHIBIT_KEYS, NOT_SUPPORTED);
      String name = r.get(string("name"));
      List<Matcher> source = new ArrayList<>();
      source.addAll(matchMap(r.section("source_match"), false));
      source.addAll(matchMap(r.section("source_match_re"), true));
      source.addAll(matcherList(r.section("source_matchers")));
      List<Matcher> target = new ArrayList<>();
      target.addAll(matchMap(r.section("target_match"), false));
      target.addAll(matchMap(r.section("target_match_re"), true));
      target.addAll(matcherList(r.section("target_matchers")));
      Set<String> equal = new TreeSet<>();
      if (r.has("equal")) {
        ConfigSection list = r.section("equal");
        List<String> labels = strings(list);
        if (labels != null) {
          for (int j = 0; j < labels.size(); j++) {
            if (!LABEL_NAME.matcher(labels.get(j)).matches()) {
              item(list, j, "invalid label name \"" + labels.get(j) + "\" in equal list");
            } else {
              equal.add(labels.get(j));
            }
          }
        }
      }
      out.add(new InhibitRule(name, source, target, equal));
    }
    return out;
  }

  // ---- values

  private static String hint(String key, Set<String> allowed) {
    if (key.endsWith("_file")) {
      return " (secrets and URLs are written inline, or through Valentia's environment variables)";
    }
    if (key.equals("http_config")) {
      return " (Valentia's HTTP client has no per-receiver settings)";
    }
    if (key.equals("global")) {
      return " (write each receiver's URL on the receiver itself)";
    }
    if (key.equals("templates")) {
      return " (Go templates are not supported)";
    }
    if (key.endsWith("time_intervals")) {
      return " (time intervals are not supported)";
    }
    if (key.endsWith("_configs")) {
      return " (supported integrations: slack_configs, mattermost_configs, discord_configs,"
          + " webhook_configs)";
    }
    return " (supported here: " + String.join(", ", new TreeSet<>(allowed)) + ")";
  }

  /** A string without Go templates. */
  private static String text(JsonNode node) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException("must be a string");
    }
    String text = node.asText();
    if (text.contains("{{")) {
      throw new IllegalArgumentException("Go templates are not supported");
    }
    return text;
  }

  private static Field<String> string(String key) {
    return Field.of(key, ConfigReader::text);
  }

  /** The strings of a list, with a problem for each item that is not one; null for no list. */
  private static List<String> strings(ConfigSection list) {
    if (!list.node().isArray()) {
      list.problem("", "must be a list of strings");
      return null;
    }
    List<String> out = new ArrayList<>();
    for (ConfigSection item : list.items("must be a list of strings")) {
      try {
        out.add(text(item.node()));
      } catch (IllegalArgumentException e) {
        item.problem("", e.getMessage());
      }
    }
    return out;
  }

  /** Whether a list item is a mapping; a problem of the item when it is not (null included). */
  private static boolean mapping(ConfigSection item) {
    if (!item.node().isObject()) {
      item.problem("", "must be a mapping");
      return false;
    }
    return true;
  }

  private static void item(ConfigSection list, int index, String message) {
    list.items("").get(index).problem("", message);
  }

  private static Field<URI> url(String key) {
    return Field.of(
        key,
        node -> {
          String text = text(node);
          try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            if (scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null
                || uri.getHost().isEmpty()) {
              throw new IllegalArgumentException(
                  "must be an absolute http or https URL, got \"" + text + "\"");
            }
            return uri;
          } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getMessage());
          }
        });
  }
}
