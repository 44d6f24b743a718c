package io.valentia.notifications.config;

import static io.valentia.notifications.config.ConfigValues.LABEL_NAME;
import static io.valentia.notifications.config.ConfigValues.NOT_SUPPORTED;
import static io.valentia.notifications.config.ConfigValues.duration;
import static io.valentia.notifications.config.ConfigValues.item;
import static io.valentia.notifications.config.ConfigValues.mapping;
import static io.valentia.notifications.config.ConfigValues.string;
import static io.valentia.notifications.config.ConfigValues.strings;

import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.notifications.route.Matcher;
import io.valentia.notifications.route.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads the {@code route:} tree with Alertmanager's checks of routes. */
final class RouteReader {
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
  private static final Field<String> RECEIVER = string("receiver");
  private static final Field<Boolean> CONTINUE = Field.bool("continue").withDefault(false);

  private RouteReader() {}

  static Route.Spec root(ConfigSection node, Set<String> receivers) {
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

  static Route.Spec route(ConfigSection node, Set<String> receivers) {
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
    matchers.addAll(MatcherReader.matchMap(node.section("match"), false));
    matchers.addAll(MatcherReader.matchMap(node.section("match_re"), true));
    matchers.addAll(MatcherReader.matcherList(node.section("matchers")));
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
}
