package io.valentia.eventbus.kafka;

import io.valentia.eventbus.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How Valentia talks to Kafka.
 *
 * @param bootstrapServers {@code host:port,...}
 * @param clientId the prefix of every client id (producers, consumers, admin)
 * @param replicationFactor replication of the topics Valentia creates
 * @param partitions partitions of each topic Valentia creates, by topic name
 * @param compression producer compression: {@code none}, {@code gzip}, {@code snappy}, {@code lz4}
 *     or {@code zstd}
 * @param clientProperties extra Kafka client properties (security, timeouts), applied to every
 *     client
 * @param minInsyncReplicas {@code min.insync.replicas} of the topics Valentia creates (and of Kafka
 *     Streams' internal topics): with {@code acks=all}, how many replicas must have a record before
 *     it counts as written; from 1 to {@code replicationFactor}
 * @param member this process's lasting name among the members of Valentia's consumer groups, or
 *     null: with a name every group member this process opens is static ({@code group.instance.id}
 *     {@code GROUP-MEMBER}), so a process that restarts after a crash takes its own place in its
 *     groups at once, instead of waiting out the session of the member that died. Two processes
 *     that run at the same time must never share a name (the second one fences the first).
 */
public record KafkaSettings(
    String bootstrapServers,
    String clientId,
    short replicationFactor,
    Map<String, Integer> partitions,
    String compression,
    Map<String, String> clientProperties,
    int minInsyncReplicas,
    String member) {

  /** Partition counts used when the configuration does not name them. */
  public static final Map<String, Integer> DEFAULT_PARTITIONS =
      Map.of(
          Topics.EVENTS, 6,
          Topics.CONTROL, 1,
          Topics.POSTMORTEMS, 3,
          Topics.NOTIFICATIONS, 3,
          Topics.DEADLETTER, 1);

  public static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

  public KafkaSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(clientId, "clientId");
    Map<String, Integer> merged = new LinkedHashMap<>(DEFAULT_PARTITIONS);
    if (partitions != null) {
      merged.putAll(partitions);
    }
    partitions = Map.copyOf(merged);
    compression = compression == null ? "lz4" : compression;
    clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException(
          "min.insync.replicas must be from 1 to the replication factor "
              + replicationFactor
              + ", found "
              + minInsyncReplicas);
    }
  }

  /** Settings without a member name: every group member this process opens is dynamic. */
  public KafkaSettings(
      String bootstrapServers,
      String clientId,
      short replicationFactor,
      Map<String, Integer> partitions,
      String compression,
      Map<String, String> clientProperties,
      int minInsyncReplicas) {
    this(
        bootstrapServers,
        clientId,
        replicationFactor,
        partitions,
        compression,
        clientProperties,
        minInsyncReplicas,
        null);
  }

  /**
   * Settings with {@link #defaultMinInsyncReplicas the default} {@code min.insync.replicas} for
   * {@code replicationFactor}.
   */
  public KafkaSettings(
      String bootstrapServers,
      String clientId,
      short replicationFactor,
      Map<String, Integer> partitions,
      String compression,
      Map<String, String> clientProperties) {
    this(
        bootstrapServers,
        clientId,
        replicationFactor,
        partitions,
        compression,
        clientProperties,
        defaultMinInsyncReplicas(replicationFactor));
  }

  /**
   * The {@code min.insync.replicas} used when the configuration names none: 2 from replication 3 on
   * (a write survives the loss of one broker and one broker may be down without stopping writes),
   * else 1.
   */
  public static int defaultMinInsyncReplicas(int replicationFactor) {
    return replicationFactor >= 3 ? 2 : 1;
  }

  /** Defaults for one broker: replication 1, default partitions, lz4. */
  public static KafkaSettings local(String bootstrapServers) {
    return new KafkaSettings(bootstrapServers, "valentia", (short) 1, null, "lz4", null);
  }

  /**
   * Settings for a command a person runs: short timeouts, so that a platform that is not up is
   * reported within seconds instead of Kafka's default minute.
   */
  public static KafkaSettings forCommandLine(String bootstrapServers, String clientId) {
    return forCommandLine(bootstrapServers, clientId, Map.of());
  }

  /**
   * Like {@link #forCommandLine(String, String)}, with the client security settings {@code
   * security} (see {@link io.valentia.eventbus.security.KafkaClientSecurity}).
   */
  public static KafkaSettings forCommandLine(
      String bootstrapServers, String clientId, Map<String, String> security) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("max.block.ms", "10000");
    props.put("request.timeout.ms", "10000");
    props.put("delivery.timeout.ms", "20000");
    props.putAll(security);
    return new KafkaSettings(bootstrapServers, clientId, (short) 1, null, "lz4", props);
  }

  /**
   * These settings with {@code properties} added to the client properties (replacing those of the
   * same names): how a process signs in as the principal of its role.
   */
  public KafkaSettings withClientProperties(Map<String, String> properties) {
    Map<String, String> merged = new LinkedHashMap<>(clientProperties);
    merged.putAll(properties);
    return new KafkaSettings(
        bootstrapServers,
        clientId,
        replicationFactor,
        partitions,
        compression,
        merged,
        minInsyncReplicas,
        member);
  }

  /** These settings with the member name {@code member} (see the record's description). */
  public KafkaSettings withMember(String member) {
    return new KafkaSettings(
        bootstrapServers,
        clientId,
        replicationFactor,
        partitions,
        compression,
        clientProperties,
        minInsyncReplicas,
        member);
  }

  /** These settings with another client id prefix. */
  public KafkaSettings withClientId(String clientId) {
    return new KafkaSettings(
        bootstrapServers,
        clientId,
        replicationFactor,
        partitions,
        compression,
        clientProperties,
        minInsyncReplicas,
        member);
  }

  /**
   * The {@code group.instance.id} of this process's member of {@code group}, when it has a {@link
   * #member() member name}.
   */
  public java.util.Optional<String> groupInstanceId(String group) {
    return member == null || group == null
        ? java.util.Optional.empty()
        : java.util.Optional.of(group + "-" + member);
  }

  /** The base properties of every client. */
  public Map<String, Object> commonClientProperties(String role) {
    Map<String, Object> props = new LinkedHashMap<>(clientProperties);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-" + role);
    return props;
  }

  /**
   * The properties of a Kafka Streams application: this cluster and its client settings, {@code
   * exactly_once_v2}, internal topics (changelogs, repartitions) with the configured replication.
   *
   * @param applicationId the Streams application id (also its consumer group and the prefix of its
   *     internal topics)
   * @param stateDir where its local state stores live
   */
  public Map<String, Object> streamsProperties(String applicationId, java.nio.file.Path stateDir) {
    Map<String, Object> props = commonClientProperties(applicationId);
    props.put("application.id", applicationId);
    props.put("processing.guarantee", "exactly_once_v2");
    props.put("replication.factor", (int) replicationFactor);
    props.put("topic.min.insync.replicas", String.valueOf(minInsyncReplicas));
    props.put("state.dir", stateDir.toString());
    props.put("producer.compression.type", compression);
    return props;
  }

  /** The partition count configured for {@code topic}. */
  public int partitionsOf(String topic) {
    return partitions.getOrDefault(topic, 1);
  }
}
