package io.valentia.eventbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Which records of a subscriber still count after a rebalance")
class CommitTrackerTest {
  private static final TopicPartition TP = new TopicPartition("valentia.events", 3);

  private static PendingRecord polled(CommitTracker tracker, long offset) {
    return new PendingRecord(
        new ConsumerRecord<>(TP.topic(), TP.partition(), offset, new byte[0], new byte[0]),
        TP,
        tracker.epoch(TP));
  }

  @Test
  @DisplayName("A record polled under the current assignment of its partition is current.")
  void currentWhileAssigned() {
    CommitTracker tracker = new CommitTracker("group");

    assertThat(tracker.current(polled(tracker, 7))).isTrue();
  }

  @Test
  @DisplayName(
      "Once its partition is revoked or lost, a record polled before is no longer current.")
  void staleAfterForget() {
    CommitTracker tracker = new CommitTracker("group");
    PendingRecord before = polled(tracker, 7);

    tracker.forget(List.of(TP));

    assertThat(tracker.current(before)).isFalse();
    assertThat(tracker.current(polled(tracker, 8))).isTrue();
  }

  @Test
  @DisplayName("Another partition's assignment does not change which records are current.")
  void partitionsAreIndependent() {
    CommitTracker tracker = new CommitTracker("group");
    PendingRecord record = polled(tracker, 7);

    tracker.forget(List.of(new TopicPartition("valentia.events", 4)));

    assertThat(tracker.current(record)).isTrue();
  }
}
