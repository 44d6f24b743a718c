package io.valentia.eventbus.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The {@code KAFKA_DEGRADED} check: whether the partitions Valentia depends on have all their
 * replicas in sync, from what {@code Admin.describeTopics} and {@code Admin.describeCluster} say.
 *
 * <ul>
 *   <li>{@code HEALTH_WARN} while some partition is under-replicated (fewer in-sync replicas than
 *       replicas) or has a replica on a broker that is not in the cluster: writes still succeed,
 *       but the cluster survives one failure less.
 *   <li>{@code HEALTH_ERR} when a partition has no leader, or fewer in-sync replicas than its
 *       {@code min.insync.replicas}: writes with {@code acks=all} (every Valentia producer) fail.
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class KafkaReplication {
  /** The name of the check. */
  public static final String CHECK = "KAFKA_DEGRADED";

  /** At most this many detail lines, one per topic; the rest is counted. */
  static final int MAX_DETAIL = 20;

  private KafkaReplication() {}

  /**
   * Whether {@code topic} is one whose replication Valentia watches: its own topics, the internal
   * topics of its Kafka Streams applications, and Kafka's group and transaction topics.
   */
  public static boolean watched(String topic) {
    return topic.startsWith("valentia")
        || topic.equals("__consumer_offsets")
        || topic.equals("__transaction_state");
  }

  /**
   * Asks the cluster: its live brokers, the watched topics ({@link #watched}) and, only when some
   * partition is not fully in sync, those topics' {@code min.insync.replicas}. Blocking: call it
   * from a worker.
   *
   * @param timeout how long each request may take
   * @return the check, or empty when every partition is fully in sync
   * @throws Exception when the cluster does not answer in time
   */
  public static Optional<HealthCheck> read(Admin admin, Duration timeout) throws Exception {
    long millis = timeout.toMillis();
    Set<Integer> live = new HashSet<>();
    admin
        .describeCluster()
        .nodes()
        .get(millis, TimeUnit.MILLISECONDS)
        .forEach(n -> live.add(n.id()));
    List<String> watched =
        admin
            .listTopics(new ListTopicsOptions().listInternal(true))
            .names()
            .get(millis, TimeUnit.MILLISECONDS)
            .stream()
            .filter(KafkaReplication::watched)
            .toList();
    Collection<TopicDescription> topics =
        admin.describeTopics(watched).allTopicNames().get(millis, TimeUnit.MILLISECONDS).values();
    Set<String> degraded = degradedTopics(topics, live);
    if (degraded.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Integer> minInsync = new HashMap<>();
    List<ConfigResource> resources =
        degraded.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    admin
        .describeConfigs(resources)
        .all()
        .get(millis, TimeUnit.MILLISECONDS)
        .forEach(
            (resource, config) -> {
              ConfigEntry entry = config.get("min.insync.replicas");
              if (entry != null && entry.value() != null) {
                minInsync.put(resource.name(), Integer.parseInt(entry.value()));
              }
            });
    return check(topics, live, minInsync);
  }

  /** The topics among {@code topics} that have a partition not fully in sync. */
  public static Set<String> degradedTopics(Collection<TopicDescription> topics, Set<Integer> live) {
    Set<String> names = new TreeSet<>();
    for (TopicDescription topic : topics) {
      for (TopicPartitionInfo partition : topic.partitions()) {
        if (problemOf(partition, live) != null) {
          names.add(topic.name());
        }
      }
    }
    return names;
  }

  /**
   * The check, or empty when every partition of {@code topics} is fully in sync.
   *
   * @param topics the topics as described
   * @param live the ids of the brokers the cluster reports now
   * @param minInsync {@code min.insync.replicas} by topic; a topic missing counts as 1
   */
  public static Optional<HealthCheck> check(
      Collection<TopicDescription> topics, Set<Integer> live, Map<String, Integer> minInsync) {
    int underReplicated = 0;
    int leaderless = 0;
    int belowMin = 0;
    Set<Integer> offlineBrokers = new TreeSet<>();
    List<String> detail = new ArrayList<>();
    int topicsDegraded = 0;
    for (TopicDescription topic : sorted(topics)) {
      int topicUnder = 0;
      int topicLeaderless = 0;
      int topicBelowMin = 0;
      int min = minInsync.getOrDefault(topic.name(), 1);
      int smallestIsr = Integer.MAX_VALUE;
      int replicas = 0;
      for (TopicPartitionInfo partition : topic.partitions()) {
        Problem problem = problemOf(partition, live);
        if (problem == null) {
          continue;
        }
        offlineBrokers.addAll(problem.offline());
        replicas = Math.max(replicas, partition.replicas().size());
        smallestIsr = Math.min(smallestIsr, partition.isr().size());
        if (problem.leaderless()) {
          topicLeaderless++;
        } else if (partition.isr().size() < min) {
          topicBelowMin++;
        }
        if (partition.isr().size() < partition.replicas().size() || !problem.offline().isEmpty()) {
          topicUnder++;
        }
      }
      if (topicUnder == 0 && topicLeaderless == 0) {
        continue;
      }
      underReplicated += topicUnder;
      leaderless += topicLeaderless;
      belowMin += topicBelowMin;
      topicsDegraded++;
      if (detail.size() < MAX_DETAIL) {
        StringBuilder line =
            new StringBuilder(topic.name())
                .append(": ")
                .append(topicUnder)
                .append(" of ")
                .append(topic.partitions().size())
                .append(" partition(s) under-replicated (in sync: as few as ")
                .append(smallestIsr)
                .append(" of ")
                .append(replicas)
                .append(", min.insync.replicas ")
                .append(min)
                .append(")");
        if (topicLeaderless > 0) {
          line.append(", ").append(topicLeaderless).append(" without a leader");
        }
        if (topicBelowMin > 0) {
          line.append(", ").append(topicBelowMin).append(" below min.insync.replicas");
        }
        detail.add(line.toString());
      }
    }
    if (topicsDegraded == 0) {
      return Optional.empty();
    }
    if (topicsDegraded > detail.size()) {
      detail.add("and " + (topicsDegraded - detail.size()) + " more topic(s)");
    }
    boolean error = leaderless > 0 || belowMin > 0;
    StringBuilder summary =
        new StringBuilder(String.valueOf(underReplicated))
            .append(" under-replicated partition(s) in ")
            .append(topicsDegraded)
            .append(" topic(s)");
    if (!offlineBrokers.isEmpty()) {
      summary.append(", replicas on offline broker(s) ").append(joined(offlineBrokers));
    }
    if (leaderless > 0) {
      summary.append("; ").append(leaderless).append(" partition(s) without a leader");
    }
    if (belowMin > 0) {
      summary
          .append("; ")
          .append(belowMin)
          .append(" partition(s) below min.insync.replicas refuse acks=all writes");
    }
    return Optional.of(
        new HealthCheck(error ? HealthReport.ERR : HealthReport.WARN, summary.toString(), detail));
  }

  private static Problem problemOf(TopicPartitionInfo partition, Set<Integer> live) {
    List<Integer> offline = new ArrayList<>();
    for (Node replica : partition.replicas()) {
      if (!live.contains(replica.id())) {
        offline.add(replica.id());
      }
    }
    Node leader = partition.leader();
    boolean leaderless = leader == null || leader.isEmpty() || leader.id() < 0;
    if (offline.isEmpty() && !leaderless && partition.isr().size() >= partition.replicas().size()) {
      return null;
    }
    return new Problem(offline, leaderless);
  }

  private static List<TopicDescription> sorted(Collection<TopicDescription> topics) {
    List<TopicDescription> list = new ArrayList<>(topics);
    list.sort((a, b) -> a.name().compareTo(b.name()));
    return list;
  }

  private static String joined(Set<Integer> ids) {
    return String.join(", ", ids.stream().map(String::valueOf).toList());
  }

  private record Problem(List<Integer> offline, boolean leaderless) {}
}
