package io.valentia.eventbus.kafka;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Valentia's topics when they are missing, reports where existing ones differ from the
 * configuration, and waits until every partition is writable.
 *
 * <p>The wait matters: with the idempotent producer, records sent right after a topic is created
 * can be lost with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} (KAFKA-15591). A partition counts as
 * writable once {@link Admin#listOffsets} answers for it. Blocking: call it from a worker.
 */
public final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  /** Topic-level configuration of each topic Valentia creates. */
  static final Map<String, Map<String, String>> LOG_CONFIGS =
      Map.of(
          // the log is the system of record: keep events, postmortems and notifications
          Topics.EVENTS, Map.of("retention.ms", "-1"),
          Topics.POSTMORTEMS, Map.of("retention.ms", "-1"),
          Topics.NOTIFICATIONS, Map.of("retention.ms", "-1"),
          Topics.CONTROL, Map.of("retention.ms", String.valueOf(Duration.ofDays(7).toMillis())),
          Topics.DEADLETTER,
              Map.of("retention.ms", String.valueOf(Duration.ofDays(30).toMillis())));

  /**
   * State topics keep the latest record of each key: compacted, with segments rolled hourly so the
   * cleaner can compact them (an active segment is never cleaned), and tombstones kept a day so a
   * reader that was away that long still sees an entity end.
   */
  static final Map<String, String> STATE_CONFIG =
      Map.of(
          "cleanup.policy",
          "compact",
          "segment.ms",
          String.valueOf(Duration.ofHours(1).toMillis()),
          "min.cleanable.dirty.ratio",
          "0.2",
          "delete.retention.ms",
          String.valueOf(Duration.ofDays(1).toMillis()));

  /** The topic-level configuration Valentia creates {@code topic} with. */
  static Map<String, String> configOf(String topic, int minInsyncReplicas) {
    Map<String, String> config =
        new HashMap<>(
            Topics.isState(topic) ? STATE_CONFIG : LOG_CONFIGS.getOrDefault(topic, Map.of()));
    config.put("min.insync.replicas", String.valueOf(minInsyncReplicas));
    return config;
  }

  private final KafkaSettings settings;

  public TopicProvisioner(KafkaSettings settings) {
    this.settings = settings;
  }

  /**
   * Makes every topic of {@link Topics#ALL} exist and be writable.
   *
   * @param timeout how long to wait for the cluster, in all
   * @return what was found and done, topic by topic
   * @throws ValentiaException.RetriableException when Kafka does not answer in time
   */
  public List<TopicStatus> ensureTopics(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(settings.commonClientProperties("admin"))) {
      Map<String, TopicDescription> existing = describe(admin, Topics.ALL, deadline);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : Topics.ALL) {
        if (!existing.containsKey(topic)) {
          missing.add(
              new NewTopic(topic, settings.partitionsOf(topic), settings.replicationFactor())
                  .configs(configOf(topic, settings.minInsyncReplicas())));
        }
      }
      List<String> created = create(admin, missing, deadline);
      existing = describe(admin, Topics.ALL, deadline);
      while (existing.size() < Topics.ALL.size()) {
        // a topic just created can take a moment to show in the metadata
        if (System.nanoTime() > deadline) {
          List<String> absent = new ArrayList<>(Topics.ALL);
          absent.removeAll(existing.keySet());
          throw new ValentiaException.RetriableException(
              "created topics do not show in the metadata: " + absent, null);
        }
        pause();
        existing = describe(admin, Topics.ALL, deadline);
      }
      Map<String, String> minInsync = minInsyncReplicas(admin, Topics.ALL, deadline);
      List<TopicStatus> statuses = new ArrayList<>();
      for (String topic : Topics.ALL) {
        TopicDescription description = existing.get(topic);
        if (description == null) {
          throw new ValentiaException("topic " + topic + " still does not exist after creation");
        }
        TopicStatus status = status(description, minInsync.get(topic), created.contains(topic));
        status.mismatches().forEach(problem -> LOG.warn("{}", problem));
        statuses.add(status);
      }
      awaitWritable(admin, existing.values(), deadline);
      return statuses;
    }
  }

  private TopicStatus status(TopicDescription description, String minInsync, boolean created) {
    String topic = description.name();
    int partitions = description.partitions().size();
    int replication =
        description.partitions().isEmpty() ? 0 : description.partitions().get(0).replicas().size();
    List<String> mismatches = new ArrayList<>();
    int wantPartitions = settings.partitionsOf(topic);
    if (partitions != wantPartitions) {
      mismatches.add(
          String.format(
              "topic %s has %d partitions but the configuration asks for %d; Valentia uses the"
                  + " topic as it is (add partitions with kafka-topics.sh --alter, or change"
                  + " kafka.partitions.%s)",
              topic, partitions, wantPartitions, topic));
    }
    if (replication != settings.replicationFactor()) {
      mismatches.add(
          String.format(
              "topic %s has replication factor %d but the configuration asks for %d; Valentia"
                  + " uses the topic as it is (reassign partitions to change it)",
              topic, replication, settings.replicationFactor()));
    }
    if (minInsync != null && !minInsync.equals(String.valueOf(settings.minInsyncReplicas()))) {
      mismatches.add(
          String.format(
              "topic %s has min.insync.replicas %s but the configuration asks for %d; Valentia"
                  + " uses the topic as it is (kafka-configs.sh --alter --entity-type topics"
                  + " --entity-name %s --add-config min.insync.replicas=%d changes it)",
              topic, minInsync, settings.minInsyncReplicas(), topic, settings.minInsyncReplicas()));
    }
    return new TopicStatus(topic, partitions, replication, created, mismatches);
  }

  /** The effective {@code min.insync.replicas} of each topic (its own or the broker's default). */
  private static Map<String, String> minInsyncReplicas(
      Admin admin, List<String> topics, long deadline) {
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs;
    try {
      configs = await(admin.describeConfigs(resources).all(), deadline);
    } catch (ExecutionException e) {
      throw unreachable(admin, e.getCause());
    }
    Map<String, String> values = new HashMap<>();
    configs.forEach(
        (resource, config) -> {
          ConfigEntry entry = config.get("min.insync.replicas");
          if (entry != null && entry.value() != null) {
            values.put(resource.name(), entry.value());
          }
        });
    return values;
  }

  private static Map<String, TopicDescription> describe(
      Admin admin, List<String> topics, long deadline) {
    Map<String, TopicDescription> found = new LinkedHashMap<>();
    Map<String, KafkaFuture<TopicDescription>> futures =
        admin.describeTopics(topics).topicNameValues();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : futures.entrySet()) {
      try {
        found.put(entry.getKey(), await(entry.getValue(), deadline));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw unreachable(admin, e.getCause());
        }
      }
    }
    return found;
  }

  private static List<String> create(Admin admin, List<NewTopic> topics, long deadline) {
    List<String> created = new ArrayList<>();
    if (topics.isEmpty()) {
      return created;
    }
    Map<String, KafkaFuture<Void>> futures = admin.createTopics(topics).values();
    for (Map.Entry<String, KafkaFuture<Void>> entry : futures.entrySet()) {
      try {
        await(entry.getValue(), deadline);
        created.add(entry.getKey());
        LOG.info("created topic {}", entry.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new ValentiaException(
              "could not create topic " + entry.getKey() + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      }
    }
    return created;
  }

  /** Polls until every partition answers a list-offsets request, or the deadline passes. */
  private static void awaitWritable(
      Admin admin, Iterable<TopicDescription> descriptions, long deadline) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (TopicDescription description : descriptions) {
      description
          .partitions()
          .forEach(
              p ->
                  request.put(
                      new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, OffsetSpec> pending = new HashMap<>(request);
    Throwable last = null;
    while (!pending.isEmpty()) {
      var futures = admin.listOffsets(pending).all();
      try {
        await(futures, deadline);
        pending.clear();
      } catch (ExecutionException e) {
        last = e.getCause();
        sleepOrGiveUp(deadline, last, pending.keySet());
      }
    }
  }

  private static void sleepOrGiveUp(
      long deadline, Throwable last, Iterable<TopicPartition> pending) {
    if (System.nanoTime() > deadline) {
      throw new ValentiaException.RetriableException(
          "partitions are not writable yet: " + pending + " (" + last.getMessage() + ")", last);
    }
    pause();
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while waiting for Kafka", e);
    }
  }

  private static <T> T await(KafkaFuture<T> future, long deadline) throws ExecutionException {
    long remaining = Math.max(1, deadline - System.nanoTime());
    try {
      return future.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new ValentiaException.RetriableException("Kafka did not answer in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while talking to Kafka", e);
    }
  }

  private static ValentiaException unreachable(Admin admin, Throwable cause) {
    return new ValentiaException.RetriableException(
        "could not describe Valentia's topics: " + cause.getMessage(), cause);
  }

  /**
   * One topic as found.
   *
   * @param name the topic
   * @param partitions its partition count
   * @param replicationFactor its replication factor
   * @param created whether this start created it
   * @param mismatches how it differs from the configuration; empty when it does not
   */
  public record TopicStatus(
      String name,
      int partitions,
      int replicationFactor,
      boolean created,
      List<String> mismatches) {}
}
