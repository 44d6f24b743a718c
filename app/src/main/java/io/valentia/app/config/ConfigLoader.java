package io.valentia.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.broker.BrokerAddress;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.web.WebConfig;
import io.valentia.web.gateway.Upstreams;
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
 * key and where the value came from. The values are read with {@link ConfigSection} from one tree
 * of dotted keys ({@code http.port}) whose every key remembers its source; the services' own
 * sections are read by their services. It is over 400 lines because it declares every key of the
 * file and also describes the effective configuration for {@code --print-config}.
 */
public final class ConfigLoader {
  /** Environment variables and the keys they set. */
  public static final Map<String, String> ENVIRONMENT =
      Map.ofEntries(
          Map.entry("VALENTIA_DATA", "data"),
          Map.entry("VALENTIA_ROLES", "roles"),
          Map.entry("VALENTIA_HTTP_HOST", "http.host"),
          Map.entry("VALENTIA_HTTP_PORT", "http.port"),
          Map.entry("VALENTIA_HTTP_UPSTREAMS", "http.upstreams"),
          Map.entry("VALENTIA_KAFKA_BOOTSTRAP", "kafka.bootstrap"),
          Map.entry("VALENTIA_KAFKA_PORT", "kafka.port"),
          Map.entry("VALENTIA_KAFKA_HOST", "kafka.host"),
          Map.entry("VALENTIA_KAFKA_ADVERTISED", "kafka.advertised"),
          Map.entry("VALENTIA_METRICS_HOST", "metrics.host"),
          Map.entry("VALENTIA_METRICS_PORT", "metrics.port"),
          Map.entry("VALENTIA_REPLICA", "replica"),
          Map.entry(KafkaClientSecurity.CONFIG_VARIABLE, "kafka.config"));

  /** The flags of {@code valentia up} and the keys they set, for {@link #describe}. */
  public static final Map<String, String> FLAGS =
      Map.ofEntries(
          Map.entry("data", "--data"),
          Map.entry("roles", "--role"),
          Map.entry("http.host", "--http-host"),
          Map.entry("http.port", "--http-port"),
          Map.entry("http.upstreams", "--upstream"),
          Map.entry("kafka.bootstrap", "--kafka"),
          Map.entry("kafka.port", "--kafka-port"),
          Map.entry("kafka.host", "--kafka-host"),
          Map.entry("kafka.advertised", "--kafka-advertised"),
          Map.entry("kafka.config", "--kafka-config"),
          Map.entry("replica", "--replica"));

  private static final String COMMAND_LINE = "the command line";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> SECTIONS = Set.of("http", "kafka", "metrics");
  private static final Set<String> KEYS = keys();
  private static final java.util.SortedSet<String> SORTED_KEYS =
      java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(KEYS));

  // The single-valued keys, typed; the others (roles, http.upstreams, http.streams,
  // kafka.partitions, kafka.properties) are read below by their own readers.
  private static final Field<String> DATA =
      text("data", "./data").withDescription("Kafka logs and local state");
  private static final Field<String> REPLICA =
      text("replica", null)
          .validate(
              r -> r.matches("[A-Za-z0-9._-]{1,64}"),
              node ->
                  "must be letters, digits, '.', '_' or '-' (at most 64), found " + node.asText())
          .withDescription("this process among several running the same roles");
  private static final Field<String> HTTP_HOST =
      text("http.host", WebConfig.DEFAULT_HOST).withDescription("the address the web server binds");
  private static final Field<Integer> HTTP_PORT =
      integer("http.port", WebConfig.DEFAULT_PORT, 0, 65535)
          .withDescription("the web server's port; 0 picks a free one");
  private static final Field<String> KAFKA_BOOTSTRAP =
      text("kafka.bootstrap", null)
          .withDescription("an existing cluster; absent: the embedded one");
  private static final Field<Integer> KAFKA_PORT =
      integer("kafka.port", 9092, 0, 65535).withDescription("the embedded broker's port");
  private static final Field<String> KAFKA_HOST =
      text("kafka.host", BrokerAddress.LOOPBACK)
          .withDescription("the address the embedded broker binds");
  private static final Field<String> KAFKA_ADVERTISED =
      text("kafka.advertised", null)
          .withDescription("the host[:port] the embedded broker gives clients");
  private static final Field<Integer> KAFKA_REPLICATION =
      integer("kafka.replication", 1, 1, Short.MAX_VALUE)
          .withDescription("replication factor of the topics Valentia creates");
  private static final Field<String> KAFKA_COMPRESSION =
      text("kafka.compression", "lz4")
          .validate(
              KafkaSettings.COMPRESSIONS::contains,
              node ->
                  "must be one of "
                      + KafkaSettings.COMPRESSIONS
                      + ", found \""
                      + node.asText()
                      + "\"")
          .withDescription("producer compression");
  private static final Field<String> KAFKA_CONFIG =
      text("kafka.config", null)
          .withDescription("Kafka client properties of an external cluster, as Kafka's tools read");
  private static final Field<String> METRICS_HOST =
      text("metrics.host", ValentiaConfig.Metrics.DEFAULT_HOST)
          .withDescription("the address GET /metrics binds");
  private static final Field<Integer> METRICS_PORT =
      integer("metrics.port", ValentiaConfig.Metrics.DEFAULT_PORT, -1, 65535)
          .withDescription("the port of GET /metrics; 0 picks a free one, -1 serves none");

  private static Field<String> text(String key, String fallback) {
    return Field.text(key).withDefault(fallback);
  }

  /** An integer written as a number (the file) or as text (environment, flags). */
  private static Field<Integer> integer(String key, int fallback, int min, int max) {
    return Field.of(
            key,
            node -> {
              String text = node.asText().trim();
              int value;
              try {
                value = node.isIntegralNumber() ? node.asInt() : Integer.parseInt(text);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be an integer, found \"" + text + "\"");
              }
              if (value < min
                  || value > max
                  || (node.isIntegralNumber() && !node.canConvertToInt())) {
                throw new IllegalArgumentException(
                    "must be between " + min + " and " + max + ", found " + text);
              }
              return value;
            })
        .withDefault(fallback);
  }

  private static Set<String> keys() {
    Set<String> keys =
        new LinkedHashSet<>(
            List.of(
                "data",
                "roles",
                "replica",
                "http.host",
                "http.upstreams",
                "http.port",
                "http.streams",
                "kafka.bootstrap",
                "kafka.port",
                "kafka.host",
                "kafka.advertised",
                "kafka.replication",
                "kafka.min-insync-replicas",
                "kafka.compression",
                "kafka.partitions",
                "kafka.properties",
                "kafka.config",
                "metrics.host",
                "metrics.port"));
    WebConfig.KEYS.forEach(k -> keys.add("http." + k));
    return Set.copyOf(keys);
  }

  private final ServiceCatalog catalog;
  private final ObjectNode tree = YAML.createObjectNode();
  private final Map<String, String> origin = new HashMap<>();
  private final ConfigSection root = ConfigSection.of(tree, "", origin::get);

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
    return read(catalog, file, environment, flags).build();
  }

  /**
   * The effective configuration, one line per setting: its key, its value and where the value came
   * from (the flag, the environment variable, the file, or {@code default}); secrets among {@code
   * kafka.properties} are masked. For {@code valentia up --print-config}.
   *
   * @throws ConfigException listing every problem found
   */
  public static List<String> describe(
      ServiceCatalog catalog,
      Path file,
      Map<String, String> environment,
      Map<String, Object> flags) {
    ConfigLoader loader = read(catalog, file, environment, flags);
    return loader.describe(loader.build());
  }

  private static ConfigLoader read(
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
            Object parsed =
                key.equals("roles") || key.equals("http.upstreams")
                    ? List.of(value.trim().split("\\s*,\\s*"))
                    : value;
            loader.set(key, parsed, variable);
          }
        });
    flags.forEach((key, value) -> loader.set(key, value, COMMAND_LINE));
    return loader;
  }

  private List<String> describe(ValentiaConfig config) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("data", config.dataDir());
    values.put("roles", config.roles());
    values.put("replica", config.replica().orElse("(none)"));
    values.put("http.host", config.http().host());
    values.put("http.port", config.http().port());
    EventStreams.Limits limits = EventStreams.Limits.of(tree.path("http.streams"));
    values.put(
        "http.streams",
        "max " + limits.maxStreams() + ", per-principal " + limits.maxPerPrincipal());
    values.put("http.upstreams", Upstreams.of(config.section("http").path("upstreams")).byRole());
    values.put(
        "kafka.bootstrap",
        config.kafka().embedded() ? "(none: the embedded broker)" : config.kafka().bootstrap());
    values.put("kafka.port", config.kafka().port());
    values.put("kafka.host", config.kafka().host());
    values.put(
        "kafka.advertised",
        config.kafka().advertised() == null ? "(the bind address)" : config.kafka().advertised());
    values.put("kafka.min-insync-replicas", config.kafka().minInsyncReplicas());
    values.put("kafka.replication", config.kafka().replication());
    values.put("kafka.compression", config.kafka().compression());
    values.put("kafka.partitions", config.kafka().settings("unused:9092").partitions().toString());
    Map<String, String> properties = new LinkedHashMap<>();
    config
        .kafka()
        .properties()
        .forEach(
            (k, v) ->
                properties.put(
                    k, k.matches("(?i).*(password|secret|jaas|token).*") ? "******" : v));
    values.put("kafka.properties", properties);
    values.put("metrics.host", config.metrics().host());
    values.put("metrics.port", config.metrics().port());
    config
        .sections()
        .forEach(
            (name, section) -> {
              if (!name.equals("http")) {
                values.put(name, section.toString());
              }
            });
    int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
    List<String> lines = new ArrayList<>();
    values.forEach(
        (key, value) ->
            lines.add(String.format("%-" + width + "s  %s  (%s)", key, value, source(key))));
    return lines;
  }

  /** Where the value of {@code key} came from: a flag, a variable, a file, or default. */
  private String source(String key) {
    String source = origin.get(key);
    if (source == null && key.contains(".")) {
      source = origin.get(key.substring(0, key.indexOf('.')));
    }
    if (source == null) {
      return "default";
    }
    if (COMMAND_LINE.equals(source)) {
      return FLAGS.getOrDefault(key, COMMAND_LINE);
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
    root.problem(section, "must be a mapping of " + section + " settings");
  }

  private void set(String key, Object value, String source) {
    setNode(key, YAML.valueToTree(value), source);
  }

  private void setNode(String key, JsonNode value, String source) {
    tree.set(key, value);
    origin.put(key, source);
  }

  private ValentiaConfig build() {
    Set<String> known = new LinkedHashSet<>(KEYS);
    catalog.services().forEach(s -> known.add(s.configSection()));
    root.checkKeyNames(known, (key, all) -> UnknownKeys.suggesting().message(key, SORTED_KEYS));
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
      root.section(name).adopt(service.checkConfig(section));
    }
    Path data = Path.of("./data");
    try {
      data = Path.of(root.get(DATA));
    } catch (java.nio.file.InvalidPathException e) {
      problem("data", "not a usable path: " + e.getMessage());
    }
    Set<String> roles = roles();
    String replica = root.get(REPLICA);
    JsonNode upstreams = tree.path("http.upstreams");
    List<String> upstreamProblems = Upstreams.check(upstreams);
    upstreamProblems.forEach(p -> problem("http.upstreams", p));
    if (upstreamProblems.isEmpty()) {
      for (String role : Upstreams.of(upstreams).byRole().keySet()) {
        if (catalog.byRole(role).isEmpty()) {
          problem(
              "http.upstreams",
              "\"" + role + "\" is not a role of this build (available: " + catalog.roles() + ")");
        }
      }
    }
    WebConfig http = new WebConfig(root.get(HTTP_HOST), root.get(HTTP_PORT));
    JsonNode streams = tree.path("http.streams");
    EventStreams.Limits.check(streams).forEach(p -> problem("http.streams", p));
    ObjectNode webSettings = YAML.createObjectNode();
    for (String key : WebConfig.KEYS) {
      if (tree.has("http." + key) && !tree.get("http." + key).isNull()) {
        webSettings.set(key, tree.get("http." + key));
      }
    }
    for (String p : WebConfig.check(webSettings)) {
      int colon = p.indexOf(':');
      problem("http." + p.substring(0, colon), p.substring(colon + 2));
    }
    String bootstrap = root.get(KAFKA_BOOTSTRAP);
    if (bootstrap != null && bootstrap.isBlank()) {
      bootstrap = null;
    }
    if (bootstrap != null && !bootstrap.matches("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*")) {
      problem("kafka.bootstrap", "must be host:port[,host:port...], found \"" + bootstrap + "\"");
    }
    int port = root.get(KAFKA_PORT);
    String host = root.get(KAFKA_HOST);
    String advertised = root.get(KAFKA_ADVERTISED);
    if (bootstrap == null) {
      try {
        BrokerAddress.of(host, 0, advertised);
      } catch (ValentiaException e) {
        problem(tree.has("kafka.advertised") ? "kafka.advertised" : "kafka.host", e.getMessage());
      }
    } else {
      for (String key : List.of("kafka.host", "kafka.advertised")) {
        if (tree.has(key)) {
          problem(key, "configures the embedded broker, which does not run with kafka.bootstrap");
        }
      }
    }
    int replication = root.get(KAFKA_REPLICATION);
    int minInsync =
        root.get(
            integer(
                "kafka.min-insync-replicas",
                KafkaSettings.defaultMinInsyncReplicas(replication),
                1,
                Short.MAX_VALUE));
    if (minInsync > replication) {
      problem(
          "kafka.min-insync-replicas",
          "must not exceed kafka.replication ("
              + replication
              + "), found "
              + minInsync
              + ": no write could ever succeed with acks=all");
    }
    String compression = root.get(KAFKA_COMPRESSION);
    ValentiaConfig.Kafka kafka =
        new ValentiaConfig.Kafka(
            bootstrap,
            port,
            host,
            advertised,
            (short) replication,
            Math.min(minInsync, replication),
            compression,
            partitions(),
            properties(),
            bootstrap == null ? null : bootstrapOrigin());
    ValentiaConfig.Metrics metrics =
        new ValentiaConfig.Metrics(root.get(METRICS_HOST), root.get(METRICS_PORT));
    root.throwIfProblems("bad configuration");
    ObjectNode httpSection =
        YAML.createObjectNode().put("host", http.host()).put("port", http.port());
    if (!streams.isMissingNode()) {
      httpSection.set("streams", streams);
    }
    httpSection.setAll(webSettings);
    if (!upstreams.isMissingNode()) {
      httpSection.set("upstreams", upstreams);
    }
    sections.put("http", httpSection);
    return new ValentiaConfig(
        data, roles, http, kafka, sections, metrics, java.util.Optional.ofNullable(replica));
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
    String file = root.get(KAFKA_CONFIG);
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

  private void problem(String key, String message) {
    root.problem(key, message);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
