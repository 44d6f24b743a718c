package io.valentia.eventbus.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts the hanging transactions of the embedded broker: transactions still open on a
 * partition although their coordinator has closed them, so that no marker will ever end them. An
 * open transaction holds back the last stable offset of its partition: {@code read_committed}
 * consumers read nothing past it, and a consumer group whose offsets it commits cannot fetch them
 * ({@code UNSTABLE_OFFSET_COMMIT}), so Kafka Streams never finishes starting.
 *
 * <p>The single node makes them after a crash: the restarted node loads the transaction state and
 * sends the markers of the transactions the crash interrupted while its controller still holds the
 * dead node's registration. When that registration's session ends, the controller fences the only
 * broker and every partition is for a moment without a leader; Kafka's marker sender takes a
 * partition without a leader for a deleted one, skips its marker and completes the transaction.
 *
 * <p>This is Kafka's {@code kafka-transactions.sh find-hanging} and {@code abort} (KIP-664), run by
 * the platform for the broker it runs. A transaction hangs when its coordinator, asked before the
 * partitions, had closed it (no markers pending: its markers were written or skipped) at a later
 * epoch of the same producer, or at the same epoch while the transaction was already open at an
 * earlier look (coordinators that do not bump the epoch at every end), or when it has been open
 * longer than any transaction may be and its coordinator does not list the partition among those it
 * will still end (the tool's rule).
 */
final class HangingTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
  private static final long TIMEOUT_SECONDS = 30;
  private static final Set<TransactionState> CLOSED =
      Set.of(
          TransactionState.EMPTY,
          TransactionState.COMPLETE_ABORT,
          TransactionState.COMPLETE_COMMIT);

  /** A transaction open on one partition, as the partition's leader describes its producer. */
  record Open(TopicPartition partition, ProducerState producer) {
    /** The same transaction in every look: its partition, producer, epoch and first offset. */
    List<Object> key() {
      return List.of(
          partition,
          producer.producerId(),
          producer.producerEpoch(),
          producer.currentTransactionStartOffset().orElse(-1));
    }

    @Override
    public String toString() {
      return "producer "
          + producer.producerId()
          + " (epoch "
          + producer.producerEpoch()
          + ") on "
          + partition
          + " from offset "
          + producer.currentTransactionStartOffset().orElse(-1);
    }
  }

  private final Admin admin;
  private final long olderThanMs;

  /** When each open transaction was first seen (by this look's clock, not records' timestamps). */
  private final Map<List<Object>, Long> firstSeen = new HashMap<>();

  /**
   * @param admin a client of the broker with the rights to describe and abort transactions
   * @param olderThan how long a transaction may be open (the broker's longest transaction timeout
   *     and the interval at which its coordinator aborts the expired ones)
   */
  HangingTransactions(Admin admin, Duration olderThan) {
    this.admin = admin;
    this.olderThanMs = olderThan.toMillis();
  }

  /**
   * Which of the {@code open} transactions hang.
   *
   * @param before the coordinators' descriptions by producer id, read before the partitions
   * @param after the descriptions by producer id, read after the partitions
   * @param openForMs how long each has been seen open (records' own timestamps may be event times
   *     from long ago, so they do not say)
   * @param seenInAnEarlierLook whether it was open already at a look before {@code before} was read
   */
  static List<Open> hanging(
      List<Open> open,
      Map<Long, TransactionDescription> before,
      Map<Long, TransactionDescription> after,
      ToLongFunction<Open> openForMs,
      Predicate<Open> seenInAnEarlierLook,
      long olderThanMs) {
    List<Open> hanging = new ArrayList<>();
    for (Open transaction : open) {
      ProducerState producer = transaction.producer();
      TransactionDescription closedBefore = before.get(producer.producerId());
      // a later epoch: the coordinator bumps it at every end (transactions version 2) and at a
      // new producer's start; the same epoch (version 1) only for a transaction that was already
      // open at an earlier look, before the coordinator said it had closed it
      boolean closed =
          closedBefore != null
              && CLOSED.contains(closedBefore.state())
              && (closedBefore.producerEpoch() > producer.producerEpoch()
                  || closedBefore.producerEpoch() == producer.producerEpoch()
                      && seenInAnEarlierLook.test(transaction));
      TransactionDescription now = after.get(producer.producerId());
      boolean expired =
          openForMs.applyAsLong(transaction) > olderThanMs
              && (now == null || !now.topicPartitions().contains(transaction.partition()));
      if (closed || expired) {
        hanging.add(transaction);
      }
    }
    return hanging;
  }

  /**
   * Looks for hanging transactions on every partition and aborts them.
   *
   * @return the transactions aborted
   */
  List<Open> abortHanging() throws InterruptedException, ExecutionException, TimeoutException {
    long looked = System.nanoTime();
    Map<Long, TransactionDescription> before = describe(admin.listTransactions().all());
    List<TopicPartition> partitions = partitions();
    if (partitions.isEmpty()) {
      return List.of();
    }
    List<Open> open = new ArrayList<>();
    admin
        .describeProducers(partitions)
        .all()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .forEach(
            (partition, state) ->
                state.activeProducers().stream()
                    .filter(producer -> producer.currentTransactionStartOffset().isPresent())
                    .forEach(producer -> open.add(new Open(partition, producer))));
    long now = System.nanoTime();
    Set<List<Object>> seen = new HashSet<>();
    open.forEach(transaction -> seen.add(transaction.key()));
    firstSeen.keySet().retainAll(seen);
    seen.forEach(key -> firstSeen.putIfAbsent(key, now));
    if (open.isEmpty()) {
      return List.of();
    }
    Set<Long> producerIds = new HashSet<>();
    open.forEach(transaction -> producerIds.add(transaction.producer().producerId()));
    Map<Long, TransactionDescription> after =
        describe(
            admin
                .listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
                .all());
    List<Open> hanging =
        hanging(
            open,
            before,
            after,
            transaction -> TimeUnit.NANOSECONDS.toMillis(now - firstSeen.get(transaction.key())),
            transaction -> firstSeen.get(transaction.key()) < looked,
            olderThanMs);
    for (Open transaction : hanging) {
      ProducerState producer = transaction.producer();
      admin
          .abortTransaction(
              new AbortTransactionSpec(
                  transaction.partition(),
                  producer.producerId(),
                  (short) producer.producerEpoch(),
                  // -1 when the transaction hung before its first end: 0 is at most any leader
                  // epoch (as kafka-transactions.sh abort does)
                  Math.max(0, producer.coordinatorEpoch().orElse(0))))
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      LOG.warn(
          "aborted a hanging transaction of {}: its coordinator had closed it without ending it"
              + " there (after a crash), and it held back every read_committed reader of the"
              + " partition",
          transaction);
    }
    return hanging;
  }

  private List<TopicPartition> partitions()
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> topics =
        admin
            .listTopics(new ListTopicsOptions().listInternal(true))
            .names()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<TopicPartition> partitions = new ArrayList<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .forEach(
            (topic, description) ->
                description
                    .partitions()
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
    return partitions;
  }

  /** The coordinators' descriptions of the listed transactions, by producer id. */
  private Map<Long, TransactionDescription> describe(
      org.apache.kafka.common.KafkaFuture<Collection<TransactionListing>> listed)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Long> producerIds = new HashMap<>();
    for (TransactionListing listing : listed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      producerIds.put(listing.transactionalId(), listing.producerId());
    }
    Map<Long, TransactionDescription> descriptions = new HashMap<>();
    if (producerIds.isEmpty()) {
      return descriptions;
    }
    var described = admin.describeTransactions(producerIds.keySet());
    for (Map.Entry<String, Long> id : producerIds.entrySet()) {
      try {
        TransactionDescription description =
            described.description(id.getKey()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        descriptions.put(description.producerId(), description);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
          throw e;
        }
        // expired since it was listed: nothing will end its transactions (the age rule)
      }
    }
    return descriptions;
  }
}
