package io.valentia.notifications.config;

import static io.valentia.notifications.config.ConfigValues.LABEL_NAME;
import static io.valentia.notifications.config.ConfigValues.NOT_SUPPORTED;
import static io.valentia.notifications.config.ConfigValues.item;
import static io.valentia.notifications.config.ConfigValues.mapping;
import static io.valentia.notifications.config.ConfigValues.string;
import static io.valentia.notifications.config.ConfigValues.strings;

import io.valentia.eventbus.config.ConfigSection;
import io.valentia.notifications.route.InhibitRule;
import io.valentia.notifications.route.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads the {@code inhibit_rules:} list with Alertmanager's checks. */
final class InhibitRuleReader {
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

  private InhibitRuleReader() {}

  static List<InhibitRule> inhibitRules(ConfigSection node) {
    List<InhibitRule> out = new ArrayList<>();
    for (ConfigSection r : node.items("must be a list of inhibition rules")) {
      if (!mapping(r)) {
        continue;
      }
      r.checkKeyNames(INHIBIT_KEYS, NOT_SUPPORTED);
      String name = r.get(string("name"));
      List<Matcher> source = new ArrayList<>();
      source.addAll(MatcherReader.matchMap(r.section("source_match"), false));
      source.addAll(MatcherReader.matchMap(r.section("source_match_re"), true));
      source.addAll(MatcherReader.matcherList(r.section("source_matchers")));
      List<Matcher> target = new ArrayList<>();
      target.addAll(MatcherReader.matchMap(r.section("target_match"), false));
      target.addAll(MatcherReader.matchMap(r.section("target_match_re"), true));
      target.addAll(MatcherReader.matcherList(r.section("target_matchers")));
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
}
