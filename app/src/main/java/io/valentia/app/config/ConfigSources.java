package io.valentia.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The configuration as read from its sources: one tree of dotted keys ({@code http.port}) filled
 * from the YAML file, then the {@code VALENTIA_*} environment variables, then the flags (each
 * overriding the one before), where every key remembers where its value came from.
 */
final class ConfigSources {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String COMMAND_LINE = "the command line";

  private final ObjectNode tree = YAML.createObjectNode();
  private final Map<String, String> origin = new HashMap<>();
  private final ConfigSection root = ConfigSection.of(tree, "", origin::get);

  private ConfigSources() {}

  /**
   * Reads {@code file} (null for none), then the {@code VALENTIA_*} variables of {@code
   * environment}, then {@code flags}.
   *
   * @throws ConfigException when the file cannot be read or is not a YAML mapping
   */
  static ConfigSources read(Path file, Map<String, String> environment, Map<String, Object> flags) {
    ConfigSources sources = new ConfigSources();
    if (file != null) {
      sources.readFile(file);
    }
    ConfigKeys.ENVIRONMENT.forEach(
        (variable, key) -> {
          String value = environment.get(variable);
          if (value != null && !value.isEmpty()) {
            Object parsed =
                key.equals("roles") || key.equals("http.upstreams")
                    ? List.of(value.trim().split("\\s*,\\s*"))
                    : value;
            sources.set(key, parsed, variable);
          }
        });
    flags.forEach((key, value) -> sources.set(key, value, COMMAND_LINE));
    return sources;
  }

  /** The values by dotted key. */
  ObjectNode tree() {
    return tree;
  }

  /** The tree as a section whose problems name the key and where its value came from. */
  ConfigSection root() {
    return root;
  }

  /** Where the value of {@code key} came from: a flag, a variable, a file, or default. */
  String source(String key) {
    String source = origin.get(key);
    if (source == null && key.contains(".")) {
      source = origin.get(key.substring(0, key.indexOf('.')));
    }
    if (source == null) {
      return "default";
    }
    if (COMMAND_LINE.equals(source)) {
      return ConfigKeys.FLAGS.getOrDefault(key, COMMAND_LINE);
    }
    return source.startsWith("VALENTIA_") ? "env " + source : "file " + source;
  }

  private void readFile(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": " + firstLine(e.getMessage())));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException(List.of(file + ": the configuration must be a YAML mapping"));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey();
      if (ConfigKeys.SECTIONS.contains(key) && !entry.getValue().isObject()) {
        notAMapping(key, file.toString());
      } else if (ConfigKeys.SECTIONS.contains(key)) {
        for (Iterator<Map.Entry<String, JsonNode>> inner = entry.getValue().fields();
            inner.hasNext(); ) {
          Map.Entry<String, JsonNode> sub = inner.next();
          setNode(key + "." + sub.getKey(), sub.getValue(), file.toString());
        }
      } else {
        setNode(key, entry.getValue(), file.toString());
      }
    }
  }

  private void notAMapping(String section, String source) {
    origin.put(section, source);
    root.problem(section, "must be a mapping of " + section + " settings");
  }

  private void set(String key, Object value, String source) {
    setNode(key, YAML.valueToTree(value), source);
  }

  private void setNode(String key, JsonNode value, String source) {
    tree.set(key, value);
    origin.put(key, source);
  }

  /** Where {@code kafka.bootstrap} came from, for messages about the cluster. */
  String bootstrapOrigin() {
    String source = origin.getOrDefault("kafka.bootstrap", origin.get("kafka"));
    if ("the command line".equals(source)) {
      return "--kafka";
    }
    return source == null ? "the configuration" : source;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
