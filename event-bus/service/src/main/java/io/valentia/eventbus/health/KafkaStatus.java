package io.valentia.eventbus.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka as this process sees it.
 *
 * @param bootstrap the bootstrap servers
 * @param embedded whether the broker runs inside this process
 * @param reachable whether the last check reached the cluster
 * @param topics Valentia's topics by name
 */
public record KafkaStatus(
    String bootstrap, boolean embedded, boolean reachable, Map<String, Topic> topics) {

  public KafkaStatus {
    topics = Collections.unmodifiableMap(new LinkedHashMap<>(topics));
  }

  /**
   * One topic.
   *
   * @param partitions partition count
   * @param replicationFactor replication factor
   * @param records records currently in the topic (end minus start offsets), -1 when unknown
   * @param mismatches how it differs from the configuration; empty when it does not
   */
  public record Topic(
      int partitions, int replicationFactor, long records, List<String> mismatches) {
    public Topic {
      mismatches = List.copyOf(mismatches);
    }
  }
}
