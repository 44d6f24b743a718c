package io.valentia.eventbus.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The KAFKA_DEGRADED check")
class KafkaReplicationTest {
  private static final Node B1 = new Node(1, "k1", 9092);
  private static final Node B2 = new Node(2, "k2", 9092);
  private static final Node B3 = new Node(3, "k3", 9092);

  private static TopicDescription topic(String name, int partitions, List<Node> isr, Node leader) {
    List<TopicPartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new TopicPartitionInfo(p, leader, List.of(B1, B2, B3), isr));
    }
    return new TopicDescription(name, false, infos);
  }

  @Test
  @DisplayName("is not raised while every replica of every partition is in sync")
  void healthy() {
    assertThat(
            KafkaReplication.check(
                List.of(topic("valentia.events", 6, List.of(B1, B2, B3), B1)),
                Set.of(1, 2, 3),
                Map.of("valentia.events", 2)))
        .isEmpty();
  }

  @Test
  @DisplayName(
      "warns with the count of under-replicated partitions and the offline broker when one of"
          + " three brokers is gone but the in-sync replicas still meet min.insync.replicas")
  void oneBrokerDown() {
    var check =
        KafkaReplication.check(
                List.of(
                    topic("valentia.events", 6, List.of(B1, B3), B1),
                    topic("valentia.control", 1, List.of(B1, B3), B3),
                    topic("__consumer_offsets", 5, List.of(B1, B2, B3), B1)),
                Set.of(1, 3),
                Map.of("valentia.events", 2, "valentia.control", 2))
            .orElseThrow();
    assertThat(check.severity()).isEqualTo(HealthReport.WARN);
    assertThat(check.summary())
        .isEqualTo(
            "12 under-replicated partition(s) in 3 topic(s), replicas on offline broker(s) 2");
    assertThat(check.detail())
        .contains(
            "valentia.events: 6 of 6 partition(s) under-replicated (in sync: as few as 2 of 3,"
                + " min.insync.replicas 2)");
  }

  @Test
  @DisplayName(
      "is an error when the in-sync replicas fall below min.insync.replicas or a partition has no"
          + " leader, since acks=all writes then fail")
  void belowMinimum() {
    var check =
        KafkaReplication.check(
                List.of(
                    topic("valentia.events", 2, List.of(B1), B1),
                    topic("valentia.control", 1, List.of(), Node.noNode())),
                Set.of(1),
                Map.of("valentia.events", 2))
            .orElseThrow();
    assertThat(check.severity()).isEqualTo(HealthReport.ERR);
    assertThat(check.summary())
        .contains("3 under-replicated partition(s) in 2 topic(s)")
        .contains("offline broker(s) 2, 3")
        .contains("1 partition(s) without a leader")
        .contains("2 partition(s) below min.insync.replicas refuse acks=all writes");
  }

  @Test
  @DisplayName("watches Valentia's topics, its Streams topics and Kafka's internal topics only")
  void watched() {
    assertThat(KafkaReplication.watched("valentia.events")).isTrue();
    assertThat(KafkaReplication.watched("valentia-incidents-store-changelog")).isTrue();
    assertThat(KafkaReplication.watched("__consumer_offsets")).isTrue();
    assertThat(KafkaReplication.watched("__transaction_state")).isTrue();
    assertThat(KafkaReplication.watched("orders")).isFalse();
  }
}
