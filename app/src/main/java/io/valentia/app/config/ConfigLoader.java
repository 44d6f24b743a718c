package io.valentia.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.broker.BrokerAddress;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.UnknownKeys;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.web.WebConfig;
import io.valentia.web.gateway.Upstreams;
import io.valentia.web.stream.EventStreams;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * sections are read by their services. The keys themselves are declared in {@link ConfigKeys}, the
 * reading of the sources in {@link ConfigSources}, and {@code --print-config} is rendered by {@link
 * ConfigDescription}.
 */
public final class ConfigLoader {
  /** Environment variables and the keys they set. */
  public static final Map<String, String> ENVIRONMENT = ConfigKeys.ENVIRONMENT;

  /** The flags of {@code valentia up} and the keys they set, for {@link #describe}. */
  public static final Map<String, String> FLAGS = ConfigKeys.FLAGS;

  private final ServiceCatalog catalog;
  private final ConfigSources sources;
  private final ObjectNode tree;
  private final ConfigSection root;

  private ConfigLoader(ServiceCatalog catalog, ConfigSources sources) {
    this.catalog = catalog;
    this.sources = sources;
    this.tree = sources.tree();
    this.root = sources.root();
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
    return ConfigDescription.lines(loader.build(), loader.sources);
  }

  private static ConfigLoader read(
      ServiceCatalog catalog,
      Path file,
      Map<String, String> environment,
      Map<String, Object> flags) {
    return new ConfigLoader(catalog, ConfigSources.read(file, environment, flags));
  }

  private ValentiaConfig build() {
    Set<String> known = new LinkedHashSet<>(ConfigKeys.KEYS);
    catalog.services().forEach(s -> known.add(s.configSection()));
    root.checkKeyNames(
        known, (key, all) -> UnknownKeys.suggesting().message(key, ConfigKeys.SORTED_KEYS));
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
      data = Path.of(root.get(ConfigKeys.DATA));
    } catch (java.nio.file.InvalidPathException e) {
      problem("data", "not a usable path: " + e.getMessage());
    }
    Set<String> roles = roles();
    String replica = root.get(ConfigKeys.REPLICA);
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
    WebConfig http = new WebConfig(root.get(ConfigKeys.HTTP_HOST), root.get(ConfigKeys.HTTP_PORT));
    JsonNode streams = tree.path("http.streams");
    EventStreams.Limits.check(streams).forEach(p -> problem("http.streams", p));
    ObjectNode webSettings = ConfigSources.YAML.createObjectNode();
    for (String key : WebConfig.KEYS) {
      if (tree.has("http." + key) && !tree.get("http." + key).isNull()) {
        webSettings.set(key, tree.get("http." + key));
      }
    }
    for (String p : WebConfig.check(webSettings)) {
      int colon = p.indexOf(':');
      problem("http." + p.substring(0, colon), p.substring(colon + 2));
    }
    String bootstrap = root.get(ConfigKeys.KAFKA_BOOTSTRAP);
    if (bootstrap != null && bootstrap.isBlank()) {
      bootstrap = null;
    }
    if (bootstrap != null && !bootstrap.matches("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*")) {
      problem("kafka.bootstrap", "must be host:port[,host:port...], found \"" + bootstrap + "\"");
    }
    int port = root.get(ConfigKeys.KAFKA_PORT);
    String host = root.get(ConfigKeys.KAFKA_HOST);
    String advertised = root.get(ConfigKeys.KAFKA_ADVERTISED);
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
    int replication = root.get(ConfigKeys.KAFKA_REPLICATION);
    int minInsync =
        root.get(
            ConfigKeys.integer(
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
    String compression = root.get(ConfigKeys.KAFKA_COMPRESSION);
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
            bootstrap == null ? null : sources.bootstrapOrigin());
    ValentiaConfig.Metrics metrics =
        new ValentiaConfig.Metrics(
            root.get(ConfigKeys.METRICS_HOST), root.get(ConfigKeys.METRICS_PORT));
    root.throwIfProblems("bad configuration");
    ObjectNode httpSection =
        ConfigSources.YAML.createObjectNode().put("host", http.host()).put("port", http.port());
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
    String file = root.get(ConfigKeys.KAFKA_CONFIG);
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
}
