package io.valentia.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.web.WebConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The configuration of one Valentia process: a YAML file ({@code --config}), overridden by {@code
 * VALENTIA_*} environment variables, overridden by command-line flags. {@link ConfigLoader} builds
 * it and reports every bad key at once.
 *
 * <pre>
 * data: ./data                  # VALENTIA_DATA, --data: Kafka logs and local state
 * roles: [web]                  # VALENTIA_ROLES (comma-separated), --role (repeatable)
 * probes: {...}                # a service's own section, named after its role
 * http:
 *   host: 127.0.0.1             # VALENTIA_HTTP_HOST, --http-host
 *   port: 8080                  # VALENTIA_HTTP_PORT, --http-port
 *   streams:                    # the live stream (GET /api/v1/events/stream)
 *     max: 400                  # streams open at once in this process
 *     per-principal: 8          # streams open at once for one user or token
 * kafka:
 *   bootstrap: host:9092,...    # VALENTIA_KAFKA_BOOTSTRAP, --kafka; absent: the embedded broker
 *   port: 9092                  # VALENTIA_KAFKA_PORT, --kafka-port: the embedded broker's port
 *   replication: 1              # replication factor of the topics Valentia creates
 *   compression: lz4            # none, gzip, snappy, lz4, zstd
 *   partitions:                 # partitions of the topics Valentia creates
 *     valentia.events: 6
 *   config: kafka.properties    # VALENTIA_KAFKA_CONFIG, --kafka-config: Kafka client properties
 *                               # (SSL, SASL/SCRAM) of an external cluster, as Kafka's tools read
 *   properties:                 # any Kafka client property; wins over the file's
 *     security.protocol: SSL
 * </pre>
 *
 * @param dataDir where the embedded broker and local state live
 * @param roles the services this process runs
 * @param http the web server
 * @param kafka the Kafka cluster
 * @param sections the services' own sections of the file, by name
 */
public record ValentiaConfig(
    Path dataDir, Set<String> roles, WebConfig http, Kafka kafka, Map<String, JsonNode> sections) {

  /** The configuration section {@code name} of a service; a missing node when there is none. */
  public JsonNode section(String name) {
    JsonNode section = sections.get(name);
    return section == null ? MissingNode.getInstance() : section;
  }

  /**
   * Kafka settings.
   *
   * @param bootstrap an existing cluster; null runs the embedded broker
   * @param port the embedded broker's client port on 127.0.0.1
   * @param replication replication factor of the topics Valentia creates
   * @param compression producer compression
   * @param partitions partitions per topic Valentia creates
   * @param properties extra Kafka client properties (those of {@code kafka.config}, then those of
   *     {@code kafka.properties})
   * @param bootstrapOrigin where {@code bootstrap} came from (--kafka, VALENTIA_KAFKA_BOOTSTRAP or
   *     the configuration file); null with the embedded broker
   */
  public record Kafka(
      String bootstrap,
      int port,
      short replication,
      String compression,
      Map<String, Integer> partitions,
      Map<String, String> properties,
      String bootstrapOrigin) {

    /** Whether this process runs the broker itself. */
    public boolean embedded() {
      return bootstrap == null;
    }

    /** The external cluster and where its address came from, e.g. {@code h:9092 (from --kafka)}. */
    public String described() {
      return bootstrap + " (from " + bootstrapOrigin + ")";
    }

    /** Client settings for a cluster at {@code bootstrapServers}. */
    public KafkaSettings settings(String bootstrapServers) {
      return new KafkaSettings(
          bootstrapServers, "valentia", replication, partitions, compression, properties);
    }
  }
}
