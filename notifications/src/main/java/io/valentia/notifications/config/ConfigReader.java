package io.valentia.notifications.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.Durations;
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
import java.util.regex.Pattern;

/**
 * Reads the {@code notifications:} section into a {@link NotificationsConfig}, collecting every
 * problem with its key path instead of stopping at the first. The checks are Alertmanager's ({@code
 * config/config.go}); keys it does not know, and Alertmanager features Valentia does not implement
 * (templates, time intervals, secrets read from files, HTTP client settings), are problems too, so
 * nothing pasted in is silently ignored.
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

  private final List<String> problems = new ArrayList<>();

  NotificationsConfig read(JsonNode section) {
    if (!section.isObject()) {
      throw new InvalidNotificationsConfigException(
          List.of("must be a mapping (route, receivers, inhibit_rules, ...)"));
    }
    checkKeys(section, "", TOP_KEYS);
    URI externalUrl = NotificationsConfig.DEFAULT_EXTERNAL_URL;
    if (present(section, "external_url")) {
      URI url = url(section.get("external_url"), "external_url");
      if (url != null) {
        externalUrl = url;
      }
    }
    List<ReceiverConfig> receivers = receivers(section.get("receivers"));
    Set<String> names = new HashSet<>();
    receivers.forEach(r -> names.add(r.name()));
    Route route = null;
    if (present(section, "route")) {
      Route.Spec spec = root(section.get("route"), names);
      if (spec != null) {
        route = Route.tree(spec);
      }
    } else if (!receivers.isEmpty()) {
      problem("route", "missing: receivers are configured but no route sends to them");
    }
    List<InhibitRule> inhibitRules = inhibitRules(section.get("inhibit_rules"));
    if (!problems.isEmpty()) {
      throw new InvalidNotificationsConfigException(problems);
    }
    return new NotificationsConfig(
        externalUrl,
        route,
        receivers,
        inhibitRules,
        section.path("delivery"),
        section.path("slack"));
  }

  // ---- route

  private Route.Spec root(JsonNode node, Set<String> receivers) {
    if (!node.isObject()) {
      problem("route", "must be a mapping");
      return null;
    }
    Route.Spec spec = route(node, "route", receivers);
    if (!present(node, "receiver")) {
      problem("route.receiver", "missing: the root route must name a default receiver");
    }
    if (present(node, "matchers") || present(node, "match") || present(node, "match_re")) {
      problem(
          "route", "the root route must not have any matchers: it is the fallback for every alert");
    }
    if (spec != null && spec.continueMatching()) {
      problem("route.continue", "cannot have continue in the root route");
    }
    return spec;
  }

  private Route.Spec route(JsonNode node, String path, Set<String> receivers) {
    checkKeys(node, path, ROUTE_KEYS);
    String receiver = null;
    if (present(node, "receiver")) {
      receiver = string(node.get("receiver"), join(path, "receiver"));
      if (receiver != null && receiver.isEmpty()) {
        problem(join(path, "receiver"), "must not be empty");
      } else if (receiver != null && !receivers.contains(receiver)) {
        problem(join(path, "receiver"), "undefined receiver \"" + receiver + "\" used in route");
      }
    }
    List<String> groupBy = null;
    boolean groupByAll = false;
    if (present(node, "group_by")) {
      List<String> labels = strings(node.get("group_by"), join(path, "group_by"));
      if (labels != null) {
        groupBy = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
          String label = labels.get(i);
          String at = join(path, "group_by") + "[" + i + "]";
          if (label.equals("...")) {
            groupByAll = true;
          } else if (!LABEL_NAME.matcher(label).matches()) {
            problem(at, "invalid label name \"" + label + "\"");
          } else if (!seen.add(label)) {
            problem(at, "duplicated label \"" + label + "\"");
          } else {
            groupBy.add(label);
          }
        }
        if (groupByAll && !groupBy.isEmpty()) {
          problem(
              join(path, "group_by"),
              "cannot have wildcard group_by ('...') and other labels at the same time");
        }
        if (groupByAll) {
          groupBy = null;
        }
      }
    }
    Duration groupWait = duration(node, path, "group_wait", true);
    Duration groupInterval = duration(node, path, "group_interval", false);
    Duration repeatInterval = duration(node, path, "repeat_interval", false);
    boolean continueMatching = bool(node, path, "continue", false);
    List<Matcher> matchers = new ArrayList<>();
    matchers.addAll(matchMap(node.get("match"), join(path, "match"), false));
    matchers.addAll(matchMap(node.get("match_re"), join(path, "match_re"), true));
    matchers.addAll(matcherList(node.get("matchers"), join(path, "matchers")));
    List<Route.Spec> children = new ArrayList<>();
    if (present(node, "routes")) {
      JsonNode routes = node.get("routes");
      if (!routes.isArray()) {
        problem(join(path, "routes"), "must be a list of routes");
      } else {
        for (int i = 0; i < routes.size(); i++) {
          String at = join(path, "routes") + "[" + i + "]";
          JsonNode child = routes.get(i);
          if (!child.isObject()) {
            problem(at, "must be a mapping");
            continue;
          }
          children.add(route(child, at, receivers));
        }
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

  private Duration duration(JsonNode node, String path, String key, boolean zeroAllowed) {
    if (!present(node, key)) {
      return null;
    }
    String at = join(path, key);
    String text = string(node.get(key), at);
    if (text == null) {
      return null;
    }
    try {
      Duration d = Durations.parse(text);
      if (d.isZero() && !zeroAllowed) {
        problem(at, "cannot be zero");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problem(
          at,
          text.isEmpty()
              ? "empty duration string"
              : "not a valid duration string: \"" + text + "\" (e.g. 30s, 5m, 4h, 1d, 1h30m)");
      return null;
    }
  }

  // ---- matchers

  private List<Matcher> matcherList(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      problem(path, "must be a list of matchers such as 'severity=\"critical\"'");
      return List.of();
    }
    List<Matcher> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String at = path + "[" + i + "]";
      JsonNode item = node.get(i);
      if (!item.isTextual()) {
        problem(at, "must be a string such as 'severity=\"critical\"'");
        continue;
      }
      try {
        out.addAll(Matcher.parseList(item.asText()));
      } catch (IllegalArgumentException e) {
        problem(at, e.getMessage());
      }
    }
    return out;
  }

  /** The legacy {@code match:} / {@code match_re:} maps of label name to value or regex. */
  private List<Matcher> matchMap(JsonNode node, String path, boolean regex) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isObject()) {
      problem(
          path, "must be a mapping of label name to " + (regex ? "regular expression" : "value"));
      return List.of();
    }
    List<Matcher> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = path + "." + e.getKey();
      if (!LABEL_NAME.matcher(e.getKey()).matches()) {
        problem(at, "invalid label name \"" + e.getKey() + "\"");
        continue;
      }
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        problem(at, "must be a string");
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
        problem(at, ex.getMessage());
      }
    }
    return out;
  }

  // ---- receivers

  private List<ReceiverConfig> receivers(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      problem("receivers", "must be a list of receivers");
      return List.of();
    }
    List<ReceiverConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String path = "receivers[" + i + "]";
      JsonNode r = node.get(i);
      if (!r.isObject()) {
        problem(path, "must be a mapping");
        continue;
      }
      checkKeys(r, path, RECEIVER_KEYS);
      String name = null;
      if (!present(r, "name")) {
        problem(join(path, "name"), "missing name in receiver");
      } else {
        name = string(r.get("name"), join(path, "name"));
        if (name != null && name.isEmpty()) {
          problem(join(path, "name"), "must not be empty");
          name = null;
        } else if (name != null && !names.add(name)) {
          problem(join(path, "name"), "receiver name \"" + name + "\" is not unique");
        }
      }
      List<ReceiverConfig.Slack> slack = list(r, path, "slack_configs", SLACK_KEYS, this::slack);
      List<ReceiverConfig.Mattermost> mattermost =
          list(r, path, "mattermost_configs", MATTERMOST_KEYS, this::mattermost);
      List<ReceiverConfig.Discord> discord =
          list(r, path, "discord_configs", DISCORD_KEYS, this::discord);
      List<ReceiverConfig.Webhook> webhooks =
          list(r, path, "webhook_configs", WEBHOOK_KEYS, this::webhook);
      if (name != null) {
        out.add(new ReceiverConfig(name, slack, mattermost, discord, webhooks));
      }
    }
    return out;
  }

  private interface ItemReader<T> {
    T read(JsonNode node, String path);
  }

  private <T> List<T> list(
      JsonNode receiver, String path, String key, Set<String> keys, ItemReader<T> reader) {
    if (!present(receiver, key)) {
      return List.of();
    }
    String at = join(path, key);
    JsonNode node = receiver.get(key);
    if (!node.isArray()) {
      problem(at, "must be a list");
      return List.of();
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String itemPath = at + "[" + i + "]";
      JsonNode item = node.get(i);
      if (!item.isObject()) {
        problem(itemPath, "must be a mapping");
        continue;
      }
      checkKeys(item, itemPath, keys);
      T value = reader.read(item, itemPath);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  private ReceiverConfig.Slack slack(JsonNode n, String path) {
    URI url = requiredUrl(n, path, "api_url");
    return new ReceiverConfig.Slack(
        url,
        optionalString(n, path, "channel"),
        optionalString(n, path, "username"),
        optionalString(n, path, "icon_emoji"),
        optionalString(n, path, "icon_url"),
        optionalString(n, path, "title"),
        optionalString(n, path, "text"),
        bool(n, path, "send_resolved", false));
  }

  private ReceiverConfig.Mattermost mattermost(JsonNode n, String path) {
    URI url = requiredUrl(n, path, "webhook_url");
    return new ReceiverConfig.Mattermost(
        url,
        optionalString(n, path, "channel"),
        optionalString(n, path, "username"),
        optionalString(n, path, "icon_url"),
        optionalString(n, path, "text"),
        bool(n, path, "send_resolved", true));
  }

  private ReceiverConfig.Discord discord(JsonNode n, String path) {
    URI url = requiredUrl(n, path, "webhook_url");
    return new ReceiverConfig.Discord(
        url,
        optionalString(n, path, "title"),
        optionalString(n, path, "message"),
        bool(n, path, "send_resolved", true));
  }

  private ReceiverConfig.Webhook webhook(JsonNode n, String path) {
    URI url = requiredUrl(n, path, "url");
    int maxAlerts = 0;
    if (present(n, "max_alerts")) {
      JsonNode v = n.get("max_alerts");
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
        problem(join(path, "max_alerts"), "must be a whole number, 0 or more (0 for all)");
      } else {
        maxAlerts = v.asInt();
      }
    }
    Duration timeout = DEFAULT_WEBHOOK_TIMEOUT;
    if (present(n, "timeout")) {
      Duration d = duration(n, path, "timeout", false);
      if (d != null) {
        timeout = d;
      }
    }
    String secret = optionalString(n, path, "hmac_secret");
    if (secret != null && secret.isEmpty()) {
      problem(join(path, "hmac_secret"), "must not be empty (leave it out for unsigned requests)");
    }
    return new ReceiverConfig.Webhook(
        url, bool(n, path, "send_resolved", true), maxAlerts, secret, timeout);
  }

  // ---- inhibit rules

  private List<InhibitRule> inhibitRules(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      problem("inhibit_rules", "must be a list of inhibition rules");
      return List.of();
    }
    List<InhibitRule> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String path = "inhibit_rules[" + i + "]";
      JsonNode r = node.get(i);
      if (!r.isObject()) {
        problem(path, "must be a mapping");
        continue;
      }
      checkKeys(r, path, INHIBIT_KEYS);
      String name = optionalString(r, path, "name");
      List<Matcher> source = new ArrayList<>();
      source.addAll(matchMap(r.get("source_match"), join(path, "source_match"), false));
      source.addAll(matchMap(r.get("source_match_re"), join(path, "source_match_re"), true));
      source.addAll(matcherList(r.get("source_matchers"), join(path, "source_matchers")));
      List<Matcher> target = new ArrayList<>();
      target.addAll(matchMap(r.get("target_match"), join(path, "target_match"), false));
      target.addAll(matchMap(r.get("target_match_re"), join(path, "target_match_re"), true));
      target.addAll(matcherList(r.get("target_matchers"), join(path, "target_matchers")));
      Set<String> equal = new TreeSet<>();
      if (present(r, "equal")) {
        List<String> labels = strings(r.get("equal"), join(path, "equal"));
        if (labels != null) {
          for (int j = 0; j < labels.size(); j++) {
            if (!LABEL_NAME.matcher(labels.get(j)).matches()) {
              problem(
                  join(path, "equal") + "[" + j + "]",
                  "invalid label name \"" + labels.get(j) + "\" in equal list");
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

  private void checkKeys(JsonNode node, String path, Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        problem(join(path, key), "not supported" + hint(key, allowed));
      }
    }
  }

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

  private static boolean present(JsonNode node, String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  private String string(JsonNode node, String path) {
    if (!node.isTextual()) {
      problem(path, "must be a string");
      return null;
    }
    String text = node.asText();
    if (text.contains("{{")) {
      problem(path, "Go templates are not supported");
      return null;
    }
    return text;
  }

  private String optionalString(JsonNode node, String path, String key) {
    return present(node, key) ? string(node.get(key), join(path, key)) : null;
  }

  private List<String> strings(JsonNode node, String path) {
    if (!node.isArray()) {
      problem(path, "must be a list of strings");
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String s = string(node.get(i), path + "[" + i + "]");
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private boolean bool(JsonNode node, String path, String key, boolean fallback) {
    if (!present(node, key)) {
      return fallback;
    }
    JsonNode v = node.get(key);
    if (!v.isBoolean()) {
      problem(join(path, key), "must be true or false");
      return fallback;
    }
    return v.asBoolean();
  }

  private URI requiredUrl(JsonNode node, String path, String key) {
    if (!present(node, key)) {
      problem(join(path, key), "missing: required");
      return null;
    }
    return url(node.get(key), join(path, key));
  }

  private URI url(JsonNode node, String path) {
    String text = string(node, path);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null
          || uri.getHost().isEmpty()) {
        problem(path, "must be an absolute http or https URL, got \"" + text + "\"");
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      problem(path, "not a valid URL: " + e.getMessage());
      return null;
    }
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private void problem(String path, String message) {
    problems.add(path.isEmpty() ? message : path + ": " + message);
  }
}
