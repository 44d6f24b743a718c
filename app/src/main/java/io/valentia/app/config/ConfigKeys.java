package io.valentia.app.config;

import io.valentia.eventbus.broker.BrokerAddress;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.web.WebConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every key of the configuration: the file's keys, the {@code VALENTIA_*} environment variables and
 * the {@code valentia up} flags that set them, and the typed fields (with default, bounds and
 * description) of the single-valued keys.
 */
final class ConfigKeys {
  private ConfigKeys() {}

  /** Environment variables and the keys they set. */
  static final Map<String, String> ENVIRONMENT =
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

  /** The flags of {@code valentia up} and the keys they set. */
  static final Map<String, String> FLAGS =
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

  static final Set<String> SECTIONS = Set.of("http", "kafka", "metrics");
  static final Set<String> KEYS = keys();
  static final java.util.SortedSet<String> SORTED_KEYS =
      java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(KEYS));

  // The single-valued keys, typed; the others (roles, http.upstreams, http.streams,
  // kafka.partitions, kafka.properties) are read by ConfigLoader's own readers.
  static final Field<String> DATA =
      text("data", "./data").withDescription("Kafka logs and local state");
  static final Field<String> REPLICA =
      text("replica", null)
          .validate(
              r -> r.matches("[A-Za-z0-9._-]{1,64}"),
              node ->
                  "must be letters, digits, '.', '_' or '-' (at most 64), found " + node.asText())
          .withDescription("this process among several running the same roles");
  static final Field<String> HTTP_HOST =
      text("http.host", WebConfig.DEFAULT_HOST).withDescription("the address the web server binds");
  static final Field<Integer> HTTP_PORT =
      integer("http.port", WebConfig.DEFAULT_PORT, 0, 65535)
          .withDescription("the web server's port; 0 picks a free one");
  static final Field<String> KAFKA_BOOTSTRAP =
      text("kafka.bootstrap", null)
          .withDescription("an existing cluster; absent: the embedded one");
  static final Field<Integer> KAFKA_PORT =
      integer("kafka.port", 9092, 0, 65535).withDescription("the embedded broker's port");
  static final Field<String> KAFKA_HOST =
      text("kafka.host", BrokerAddress.LOOPBACK)
          .withDescription("the address the embedded broker binds");
  static final Field<String> KAFKA_ADVERTISED =
      text("kafka.advertised", null)
          .withDescription("the host[:port] the embedded broker gives clients");
  static final Field<Integer> KAFKA_REPLICATION =
      integer("kafka.replication", 1, 1, Short.MAX_VALUE)
          .withDescription("replication factor of the topics Valentia creates");
  static final Field<String> KAFKA_COMPRESSION =
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
  static final Field<String> KAFKA_CONFIG =
      text("kafka.config", null)
          .withDescription("Kafka client properties of an external cluster, as Kafka's tools read");
  static final Field<String> METRICS_HOST =
      text("metrics.host", ValentiaConfig.Metrics.DEFAULT_HOST)
          .withDescription("the address GET /metrics binds");
  static final Field<Integer> METRICS_PORT =
      integer("metrics.port", ValentiaConfig.Metrics.DEFAULT_PORT, -1, 65535)
          .withDescription("the port of GET /metrics; 0 picks a free one, -1 serves none");

  private static Field<String> text(String key, String fallback) {
    return Field.text(key).withDefault(fallback);
  }

  /** An integer written as a number (the file) or as text (environment, flags). */
  static Field<Integer> integer(String key, int fallback, int min, int max) {
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
}
