package io.valentia.eventbus.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets a {@link KafkaEventSubscriber} may commit. Per partition it keeps the offset after
 * the last record the handler finished (or that was dead-lettered): records are handled one at a
 * time in offset order, so everything below it is done. It also keeps an assignment epoch per
 * partition, raised when the partition is revoked or lost: records polled under an older epoch are
 * dropped unhandled, and their offsets are never committed.
 *
 * <p>{@link #epoch} and {@link #finished} are called from the subscriber's context; commits and the
 * rebalance calls from the poll thread only.
 */
final class CommitTracker {
  private static final Logger LOG = LoggerFactory.getLogger(CommitTracker.class);
  private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(500).toNanos();

  private final String groupId;
  private final Map<TopicPartition, Integer> epochs = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> done = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>(); // poll thread only
  private long lastCommit = System.nanoTime(); // poll thread only

  /**
   * @param groupId the consumer group; null for a replay, which commits nothing
   */
  CommitTracker(String groupId) {
    this.groupId = groupId;
  }

  /** The current assignment epoch of {@code tp}. */
  int epoch(TopicPartition tp) {
    return epochs.getOrDefault(tp, 0);
  }

  /** Whether {@code item} was polled under the current assignment of its partition. */
  boolean current(PendingRecord item) {
    return item.epoch() == epoch(item.tp());
  }

  /** The handler is done with {@code item}: its offset may be committed. */
  void finished(PendingRecord item) {
    if (current(item)) {
      done.merge(item.tp(), item.record().offset() + 1, Math::max);
    }
  }

  /**
   * Commits what was finished since the last commit: asynchronously at most every 500 ms, or now
   * and synchronously (on close).
   */
  void commitIfDue(Consumer<?, ?> consumer, boolean now) {
    if (groupId == null) {
      return;
    }
    if (!now && System.nanoTime() - lastCommit < COMMIT_INTERVAL_NANOS) {
      return;
    }
    lastCommit = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Set<TopicPartition> assigned = consumer.assignment();
    done.forEach(
        (tp, next) -> {
          if (assigned.contains(tp) && !next.equals(committed.get(tp))) {
            offsets.put(tp, new OffsetAndMetadata(next));
          }
        });
    if (offsets.isEmpty()) {
      return;
    }
    if (now) {
      consumer.commitSync(offsets, Duration.ofSeconds(5));
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    } else {
      consumer.commitAsync(
          offsets,
          (result, error) -> {
            if (error != null) {
              LOG.warn("group {}: commit failed: {}", groupId, error.toString());
            } else {
              result.forEach((tp, o) -> committed.put(tp, o.offset()));
            }
          });
    }
  }

  /** The group takes {@code partitions} away: commits what was finished on them, then forgets. */
  void revoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      Long next = done.get(tp);
      if (next != null && !next.equals(committed.get(tp))) {
        offsets.put(tp, new OffsetAndMetadata(next));
      }
    }
    if (!offsets.isEmpty()) {
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("group {}: commit on revoke failed: {}", groupId, e.toString());
      }
    }
    forget(partitions);
  }

  /**
   * {@code partitions} are no longer this member's: records of the old assignment are dropped
   * unhandled and nothing more is committed for them.
   */
  void forget(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      epochs.merge(tp, 1, Integer::sum);
      done.remove(tp);
      committed.remove(tp);
    }
  }
}
