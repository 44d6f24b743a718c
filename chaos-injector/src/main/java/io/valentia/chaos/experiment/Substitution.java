package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.valentia.eventbus.EventCodec;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${name}} placeholders of Chaos Toolkit experiments: whether a value still has one
 * (checks leave such values to the run, where they are resolved), and replacing them with values
 * from the configuration and secrets. A string that is exactly {@code ${name}} takes the value with
 * its JSON type; elsewhere the value is inserted as text. Stateless and thread-safe.
 */
public final class Substitution {
  private static final String OPENING = "${";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

  private Substitution() {}

  /** Whether {@code text} has a placeholder (false for null). */
  public static boolean hasPlaceholder(String text) {
    return text != null && text.contains(OPENING);
  }

  /** Whether {@code value} is a string with a placeholder. */
  public static boolean hasPlaceholder(JsonNode value) {
    return value != null && value.isTextual() && hasPlaceholder(value.asText());
  }

  /** {@code ${name}}, as written in an experiment. */
  public static String placeholder(String name) {
    return OPENING + name + "}";
  }

  /**
   * A copy of {@code node} with every placeholder replaced by its value in {@code values}.
   *
   * @param unknown receives the names of placeholders that have no value (they stay as written)
   */
  public static JsonNode substitute(
      JsonNode node, Map<String, JsonNode> values, Set<String> unknown) {
    if (node.isTextual()) {
      return substitute(node.asText(), node, values, unknown);
    }
    if (node.isArray()) {
      ArrayNode copy = EventCodec.MAPPER.createArrayNode();
      node.forEach(item -> copy.add(substitute(item, values, unknown)));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = EventCodec.MAPPER.createObjectNode();
      node.fields()
          .forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue(), values, unknown)));
      return copy;
    }
    return node;
  }

  private static JsonNode substitute(
      String text, JsonNode node, Map<String, JsonNode> values, Set<String> unknown) {
    Matcher whole = PLACEHOLDER.matcher(text);
    if (whole.matches()) {
      JsonNode value = values.get(whole.group(1));
      if (value == null) {
        unknown.add(whole.group(1));
        return node;
      }
      return value;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      JsonNode value = values.get(m.group(1));
      if (value == null) {
        unknown.add(m.group(1));
        m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
      } else {
        m.appendReplacement(
            out, Matcher.quoteReplacement(value.isValueNode() ? value.asText() : value.toString()));
      }
    }
    m.appendTail(out);
    return TextNode.valueOf(out.toString());
  }
}
