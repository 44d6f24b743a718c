package io.valentia.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.valentia.eventbus.broker.BrokerAddress;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.web.WebConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration of one Valentia process: a YAML file ({@code --config}), overridden by {@code
 * VALENTIA_*} environment variables, overridden by command-line flags. {@link ConfigLoader} builds
 * it and reports every bad key at once.
 *
 * <pre>
 * data: ./data                  # VALENTIA_DATA, --data: Kafka logs and local state
 * roles: [web]                  # VALENTIA_ROLES (comma-separated), --role (repeatable)
 * replica: pm-2                 # VALENTIA_REPLICA, --replica: this process among several running
 *                               # the same roles (postmortem replicas), for client ids and logs
 * probes: {...}                # a service's own section, named after its role
 * http:
 *   host: 127.0.0.1             # VALENTIA_HTTP_HOST, --http-host
 *   port: 8080                  # VALENTIA_HTTP_PORT, --http-port
 *   upstreams:                  # VALENTIA_HTTP_UPSTREAMS (ROLE=URL,...), --upstream ROLE=URL:
 *     chaos: http://h2:8081     # where the web role forwards the API of roles it does not run
 *     postmortem: [http://h3:8082, http://h4:8082]
 *   streams:                    # the live stream (GET /api/v1/events/stream)
 *     max: 400                  # streams open at once in this process
 *     per-principal: 8          # streams open at once for one user or token
 * kafka:
 *   bootstrap: host:9092,...    # VALENTIA_KAFKA_BOOTSTRAP, --kafka; absent: the embedded broker
 *   port: 9092                  # VALENTIA_KAFKA_PORT, --kafka-port: the embedded broker's port
 *   host: 127.0.0.1             # VALENTIA_KAFKA_HOST, --kafka-host: the address it binds
 *   advertised: host[:port]     # VALENTIA_KAFKA_ADVERTISED, --kafka-advertised: the address it
 *                               # gives clients (default: the bind address, or this machine's
 *                               # name when that is 0.0.0.0)
 *   replication: 1              # replication factor of the topics Valentia creates
 *   min-insync-replicas: 1      # their min.insync.replicas (default 2 from replication 3, else 1)
 *   compression: lz4            # none, gzip, snappy, lz4, zstd
 *   partitions:                 # partitions of the topics Valentia creates
 *     valentia.events: 6
 *   config: kafka.properties    # VALENTIA_KAFKA_CONFIG, --kafka-config: Kafka client properties
 *                               # (SSL, SASL/SCRAM) of an external cluster, as Kafka's tools read
 *   properties:                 # any Kafka client property; wins over the file's
 *     security.protocol: SSL
 * metrics:                      # GET /metrics (Prometheus) on a port of its own, no token
 *   host: 127.0.0.1             # VALENTIA_METRICS_HOST
 *   port: 9464                  # VALENTIA_METRICS_PORT; 0 picks a free port, -1 serves none
 * </pre>
 *
 * @param dataDir where the embedded broker and local state live
 * @param roles the services this process runs
 * @param http the web server
 * @param kafka the Kafka cluster
 * @param sections the services' own sections of the file, by name
 * @param metrics where {@code GET /metrics} is served
 * @param replica this process's name among several running the same roles; empty when not set
 */
public record ValentiaConfig(
    Path dataDir,
    Set<String> roles,
    WebConfig http,
    Kafka kafka,
    Map<String, JsonNode> sections,
    Metrics metrics,
    Optional<String> replica) {

  /** A process with no replica name. */
  public ValentiaConfig(
      Path dataDir,
      Set<String> roles,
      WebConfig http,
      Kafka kafka,
      Map<String, JsonNode> sections,
      Metrics metrics) {
    this(dataDir, roles, http, kafka, sections, metrics, Optional.empty());
  }

  /**
   * Where the Prometheus endpoint {@code GET /metrics} listens: a port of its own, without
   * authentication (bind it to an address only the scraper reaches).
   *
   * @param host the address to bind
   * @param port the port; 0 picks a free one, -1 serves no metrics
   */
  public record Metrics(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;

    /** Whether the endpoint is served at all. */
    public boolean enabled() {
      return port >= 0;
    }
  }

  /** The configuration section {@code name} of a service; a missing node when there is none. */
  public JsonNode section(String name) {
    JsonNode section = sections.get(name);
    return section == null ? MissingNode.getInstance() : section;
  }

  /**
   * Kafka settings.
   *
   * @param bootstrap an existing cluster; null runs the embedded broker
   * @param port the embedded broker's client port
   * @param host the address the embedded broker's client listener binds
   * @param advertised the {@code host[:port]} the embedded broker advertises; null for the default
   * @param replication replication factor of the topics Valentia creates
   * @param minInsyncReplicas {@code min.insync.replicas} of the topics Valentia creates
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
      String host,
      String advertised,
      short replication,
      int minInsyncReplicas,
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
          bootstrapServers,
          "valentia",
          replication,
          partitions,
          compression,
          properties,
          minInsyncReplicas);
    }

    /** Where the embedded broker listens and what it advertises. */
    public BrokerAddress brokerAddress() {
      return BrokerAddress.of(host, port, advertised);
    }
  }
}
