package io.valentia.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.broker.HangingTransactions.Open;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The states are the ones the restarted embedded broker showed after a crash. */
@DisplayName("A transaction open on a partition")
class HangingTransactionsTest {
  private static final long NOW = 1_796_654_200_000L;
  private static final long OLDEST = 930_000;
  private static final TopicPartition EVENTS = new TopicPartition("valentia.events", 1);
  private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 2);

  @Test
  @DisplayName(
      "hangs when its coordinator, asked first, had already closed it at a later epoch (markers"
          + " skipped during a crash restart)")
  void closedByALaterEpochHangs() {
    Open events = open(EVENTS, 3, 20, NOW - 5_000);
    Open offsets = open(OFFSETS, 3, 20, NOW - 5_000);
    Map<Long, TransactionDescription> coordinator =
        Map.of(3L, description(3, 23, TransactionState.EMPTY, Set.of()));

    assertThat(hanging(List.of(events, offsets), coordinator, coordinator))
        .containsExactly(events, offsets);
  }

  @Test
  @DisplayName("is left alone while its coordinator holds it open, however long it has been open")
  void ongoingIsLeftAlone() {
    Open events = open(EVENTS, 3, 20, NOW - 2 * OLDEST);
    Map<Long, TransactionDescription> coordinator =
        Map.of(3L, description(3, 20, TransactionState.ONGOING, Set.of(EVENTS)));

    assertThat(hanging(List.of(events), coordinator, coordinator)).isEmpty();
  }

  @Test
  @DisplayName(
      "is left alone while its markers are being written, and when its producer has begun the"
          + " next transaction at the coordinator's epoch")
  void pendingMarkersAndTheNextTransactionAreLeftAlone() {
    Open aborting = open(EVENTS, 3, 21, NOW - 1_000);
    Map<Long, TransactionDescription> prepareAbort =
        Map.of(3L, description(3, 21, TransactionState.PREPARE_ABORT, Set.of(EVENTS)));
    Open next = open(EVENTS, 4, 7, NOW - 1_000);
    Map<Long, TransactionDescription> committed =
        Map.of(4L, description(4, 7, TransactionState.COMPLETE_COMMIT, Set.of()));

    assertThat(hanging(List.of(aborting), prepareAbort, prepareAbort)).isEmpty();
    assertThat(hanging(List.of(next), committed, committed)).isEmpty();
  }

  @Test
  @DisplayName(
      "hangs when it has been open longer than any transaction may be and no coordinator will end"
          + " it there (kafka-transactions.sh find-hanging)")
  void expiredAndUnknownHangs() {
    Open forgotten = open(EVENTS, 9, 0, NOW - OLDEST - 1);
    Open young = open(OFFSETS, 10, 0, NOW - OLDEST + 1_000);

    assertThat(hanging(List.of(forgotten, young), Map.of(), Map.of())).containsExactly(forgotten);
  }

  @Test
  @DisplayName(
      "that its coordinator closed only after the partitions were read is left for the next look")
  void closedAfterTheScanIsLeftAlone() {
    Open events = open(EVENTS, 3, 20, NOW - 5_000);
    Map<Long, TransactionDescription> before =
        Map.of(3L, description(3, 20, TransactionState.PREPARE_COMMIT, Set.of(EVENTS)));
    Map<Long, TransactionDescription> after =
        Map.of(3L, description(3, 21, TransactionState.COMPLETE_COMMIT, Set.of()));

    assertThat(hanging(List.of(events), before, after)).isEmpty();
  }

  @Test
  @DisplayName(
      "closed at its own epoch (a coordinator that does not bump it) hangs once an earlier look"
          + " saw it open, and not before: it may be the next transaction of the same epoch")
  void closedAtTheSameEpochHangsWhenSeenEarlier() {
    Open events = open(EVENTS, 5, 2, NOW - 6_000);
    Map<Long, TransactionDescription> coordinator =
        Map.of(5L, description(5, 2, TransactionState.COMPLETE_COMMIT, Set.of()));

    assertThat(hanging(List.of(events), coordinator, coordinator)).isEmpty();
    assertThat(
            HangingTransactions.hanging(
                List.of(events),
                coordinator,
                coordinator,
                HangingTransactionsTest::openFor,
                t -> true,
                OLDEST))
        .containsExactly(events);
  }

  /** The verdict on transactions that no earlier look saw. */
  private static List<Open> hanging(
      List<Open> open,
      Map<Long, TransactionDescription> before,
      Map<Long, TransactionDescription> after) {
    return HangingTransactions.hanging(
        open, before, after, HangingTransactionsTest::openFor, t -> false, OLDEST);
  }

  /** How long the look has seen it open: here, since its last write. */
  private static long openFor(Open transaction) {
    return NOW - transaction.producer().lastTimestamp();
  }

  private static Open open(TopicPartition partition, long producerId, int epoch, long lastWrite) {
    return new Open(
        partition,
        new ProducerState(producerId, epoch, 0, lastWrite, OptionalInt.of(0), OptionalLong.of(52)));
  }

  private static TransactionDescription description(
      long producerId, int epoch, TransactionState state, Set<TopicPartition> partitions) {
    return new TransactionDescription(
        1, state, producerId, epoch, 10_000, OptionalLong.empty(), partitions);
  }
}
