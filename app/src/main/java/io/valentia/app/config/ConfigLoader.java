package io.valentia.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.web.WebConfig;
import io.valentia.web.stream.EventStreams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link ValentiaConfig} from a YAML file, {@code VALENTIA_*} environment variables and
 * flags, in that order of precedence (flags win), and reports every problem at once, each with the
 * key and where the value came from.
 */
public final class ConfigLoader {
  /** Environment variables and the keys they set. */
  public static final Map<String, String> ENVIRONMENT =
      Map.of(
          "VALENTIA_DATA",
          "data",
          "VALENTIA_ROLES",
          "roles",
          "VALENTIA_HTTP_HOST",
          "http.host",
          "VALENTIA_HTTP_PORT",
          "http.port",
          "VALENTIA_KAFKA_BOOTSTRAP",
          "kafka.bootstrap",
          "VALENTIA_KAFKA_PORT",
          "kafka.port",
          KafkaClientSecurity.CONFIG_VARIABLE,
          "kafka.config");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> SECTIONS = Set.of("http", "kafka");
  private static final Set<String> KEYS =
      Set.of(
          "data",
          "roles",
          "http.host",
          "http.port",
          "http.streams",
          "kafka.bootstrap",
          "kafka.port",
          "kafka.replication",
          "kafka.compression",
          "kafka.partitions",
          "kafka.properties",
          "kafka.config");

  private final ServiceCatalog catalog;
  private final ObjectNode tree = YAML.createObjectNode();
  private final Map<String, String> origin = new HashMap<>();
  private final List<String> problems = new ArrayList<>();

  private ConfigLoader(ServiceCatalog catalog) {
    this.catalog = catalog;
  }

  /**
   * Loads the configuration.
   *
   * @param file the YAML file; null for none
   * @param environment the process environment (only {@code VALENTIA_*} keys are read)
   * @param flags values from the command line by key (e.g. {@code http.port}); a list value for
   *     {@code roles}
   * @throws ConfigException listing every problem found
   */
  public static ValentiaConfig load(
      Path file, Map<String, String> environment, Map<String, Object> flags) {
    return load(ServiceCatalog.installed(), file, environment, flags);
  }

  /** Loads the configuration for the services of {@code catalog}. */
  public static ValentiaConfig load(
      ServiceCatalog catalog,
      Path file,
      Map<String, String> environment,
      Map<String, Object> flags) {
    ConfigLoader loader = new ConfigLoader(catalog);
    if (file != null) {
      loader.readFile(file);
    }
    ENVIRONMENT.forEach(
        (variable, key) -> {
          String value = environment.get(variable);
          if (value != null && !value.isEmpty()) {
            Object parsed = key.equals("roles") ? List.of(value.trim().split("\\s*,\\s*")) : value;
            loader.set(key, parsed, variable);
          }
        });
    flags.forEach((key, value) -> loader.set(key, value, "the command line"));
    return loader.build();
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
      if (SECTIONS.contains(key) && !entry.getValue().isObject()) {
        loader(key, file.toString());
      } else if (SECTIONS.contains(key)) {
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

  private void loader(String section, String source) {
    origin.put(section, source);
    problems.add(section + " (from " + source + "): must be a mapping of " + section + " settings");
  }

  private void set(String key, Object value, String source) {
    setNode(key, YAML.valueToTree(value), source);
  }

  private void setNode(String key, JsonNode value, String source) {
    tree.set(key, value);
    origin.put(key, source);
  }

  private ValentiaConfig build() {
    for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key) && catalog.bySection(key).isEmpty()) {
        problem(key, "unknown key" + suggestion(key));
      }
    }
    Map<String, JsonNode> sections = new LinkedHashMap<>();
    for (var service : catalog.services()) {
      String name = service.configSection();
      if (name.equals("http")) {
        continue; // read below, with its flags and environment variables
      }
      JsonNode section = tree.path(name);
      if (!section.isMissingNode()) {
        sections.put(name, section);
      }
      service.checkConfig(section).forEach(p -> problem(name, p));
    }
    Path data = Path.of("./data");
    try {
      data = Path.of(string("data", "./data"));
    } catch (java.nio.file.InvalidPathException e) {
      problem("data", "not a usable path: " + e.getMessage());
    }
    Set<String> roles = roles();
    WebConfig http =
        new WebConfig(
            string("http.host", WebConfig.DEFAULT_HOST),
            integer("http.port", WebConfig.DEFAULT_PORT, 0, 65535));
    JsonNode streams = tree.path("http.streams");
    EventStreams.Limits.check(streams).forEach(p -> problem("http.streams", p));
    String bootstrap = string("kafka.bootstrap", null);
    if (bootstrap != null && bootstrap.isBlank()) {
      bootstrap = null;
    }
    if (bootstrap != null && !bootstrap.matches("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*")) {
      problem("kafka.bootstrap", "must be host:port[,host:port...], found \"" + bootstrap + "\"");
    }
    int port = integer("kafka.port", 9092, 0, 65535);
    int replication = integer("kafka.replication", 1, 1, Short.MAX_VALUE);
    String compression = string("kafka.compression", "lz4");
    if (!KafkaSettings.COMPRESSIONS.contains(compression)) {
      problem(
          "kafka.compression",
          "must be one of " + KafkaSettings.COMPRESSIONS + ", found \"" + compression + "\"");
    }
    ValentiaConfig.Kafka kafka =
        new ValentiaConfig.Kafka(
            bootstrap,
            port,
            (short) replication,
            compression,
            partitions(),
            properties(),
            bootstrap == null ? null : bootstrapOrigin());
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    ObjectNode httpSection =
        YAML.createObjectNode().put("host", http.host()).put("port", http.port());
    if (!streams.isMissingNode()) {
      httpSection.set("streams", streams);
    }
    sections.put("http", httpSection);
    return new ValentiaConfig(data, roles, http, kafka, sections);
  }

  private String bootstrapOrigin() {
    String source = origin.getOrDefault("kafka.bootstrap", origin.get("kafka"));
    if ("the command line".equals(source)) {
      return "--kafka";
    }
    return source == null ? "the configuration" : source;
  }

  private Set<String> roles() {
    JsonNode node = tree.get("roles");
    if (node == null || node.isNull()) {
      Set<String> all = new LinkedHashSet<>();
      catalog.services().forEach(s -> all.add(s.role()));
      return all;
    }
    List<String> values = new ArrayList<>();
    if (node.isTextual()) {
      values.add(node.asText());
    } else if (node.isArray()) {
      node.forEach(v -> values.add(v.asText()));
    } else {
      problem("roles", "must be a list of roles (" + catalog.roles() + ")");
      return Set.of();
    }
    Set<String> roles = new LinkedHashSet<>();
    for (String value : values) {
      catalog
          .byRole(value)
          .ifPresentOrElse(
              s -> roles.add(s.role()),
              () ->
                  problem(
                      "roles",
                      "\""
                          + value
                          + "\" is not a role of this build (available: "
                          + catalog.roles()
                          + ")"));
    }
    if (values.isEmpty()) {
      problem("roles", "must name at least one role (" + catalog.roles() + ")");
    }
    return roles;
  }

  private Map<String, Integer> partitions() {
    Map<String, Integer> partitions = new LinkedHashMap<>();
    JsonNode node = tree.get("kafka.partitions");
    if (node == null || node.isNull()) {
      return partitions;
    }
    if (!node.isObject()) {
      problem("kafka.partitions", "must map topic names to partition counts");
      return partitions;
    }
    node.fields()
        .forEachRemaining(
            e -> {
              if (!Topics.ALL.contains(e.getKey())) {
                problem(
                    "kafka.partitions." + e.getKey(), "unknown topic (known: " + Topics.ALL + ")");
              } else if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 1) {
                problem("kafka.partitions." + e.getKey(), "must be a positive integer");
              } else {
                partitions.put(e.getKey(), e.getValue().asInt());
              }
            });
    return partitions;
  }

  /**
   * The Kafka client properties: those of the {@code kafka.config} file, then those of {@code
   * kafka.properties} (which win).
   */
  private Map<String, String> properties() {
    Map<String, String> properties = new LinkedHashMap<>();
    String file = string("kafka.config", null);
    if (file != null && !file.isBlank()) {
      try {
        properties.putAll(KafkaClientSecurity.read(Path.of(file)));
      } catch (RuntimeException e) {
        problem("kafka.config", e.getMessage());
      }
    }
    JsonNode node = tree.get("kafka.properties");
    if (node == null || node.isNull()) {
      return properties;
    }
    if (!node.isObject()) {
      problem("kafka.properties", "must map Kafka client property names to values");
      return properties;
    }
    node.fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isContainerNode()) {
                problem("kafka.properties." + e.getKey(), "must be a single value");
              } else {
                properties.put(e.getKey(), e.getValue().asText());
              }
            });
    return properties;
  }

  private String string(String key, String fallback) {
    JsonNode node = tree.get(key);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isValueNode()) {
      problem(key, "must be a single value");
      return fallback;
    }
    return node.asText();
  }

  private int integer(String key, int fallback, int min, int max) {
    JsonNode node = tree.get(key);
    if (node == null || node.isNull()) {
      return fallback;
    }
    String text = node.asText().trim();
    try {
      int value = node.isIntegralNumber() ? node.asInt() : Integer.parseInt(text);
      if (value < min || value > max || (node.isIntegralNumber() && !node.canConvertToInt())) {
        problem(key, "must be between " + min + " and " + max + ", found " + text);
        return fallback;
      }
      return value;
    } catch (NumberFormatException e) {
      problem(key, "must be an integer, found \"" + text + "\"");
      return fallback;
    }
  }

  private void problem(String key, String message) {
    String source = origin.get(key);
    for (String k : KEYS) { // the configured key this problem sits under
      if (source == null && key.startsWith(k + ".") && origin.containsKey(k)) {
        source = origin.get(k);
      }
    }
    problems.add(key + (source == null ? "" : " (from " + source + ")") + ": " + message);
  }

  private static String suggestion(String key) {
    String best = null;
    int bestDistance = 3;
    for (String known : KEYS) {
      int distance = distance(key, known);
      if (distance < bestDistance) {
        best = known;
        bestDistance = distance;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
