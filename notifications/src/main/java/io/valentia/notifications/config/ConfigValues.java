package io.valentia.notifications.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The values the notifications configuration is made of, shared by its readers: strings without Go
 * templates, http(s) URLs, durations, label names, lists of strings and mappings, and the hint a
 * key that is not supported gets. Each problem is reported on its {@link ConfigSection}.
 */
final class ConfigValues {
  static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  static final UnknownKeys NOT_SUPPORTED = (key, known) -> "not supported" + hint(key, known);

  private ConfigValues() {}

  static Field<Duration> duration(String key, boolean zeroAllowed) {
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

  static String hint(String key, Set<String> allowed) {
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
  static String text(JsonNode node) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException("must be a string");
    }
    String text = node.asText();
    if (text.contains("{{")) {
      throw new IllegalArgumentException("Go templates are not supported");
    }
    return text;
  }

  static Field<String> string(String key) {
    return Field.of(key, ConfigValues::text);
  }

  /** The strings of a list, with a problem for each item that is not one; null for no list. */
  static List<String> strings(ConfigSection list) {
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
  static boolean mapping(ConfigSection item) {
    if (!item.node().isObject()) {
      item.problem("", "must be a mapping");
      return false;
    }
    return true;
  }

  static void item(ConfigSection list, int index, String message) {
    list.items("").get(index).problem("", message);
  }

  static Field<URI> url(String key) {
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
