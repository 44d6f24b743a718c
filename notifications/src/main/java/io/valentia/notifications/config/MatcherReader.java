package io.valentia.notifications.config;

import static io.valentia.notifications.config.ConfigValues.LABEL_NAME;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.notifications.route.Matcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads label matchers, as routes and inhibit rules write them: a {@code matchers:} list of
 * Alertmanager matcher strings, or the legacy {@code match:} / {@code match_re:} maps.
 */
final class MatcherReader {
  private MatcherReader() {}

  static List<Matcher> matcherList(ConfigSection node) {
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
  static List<Matcher> matchMap(ConfigSection node, boolean regex) {
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
}
