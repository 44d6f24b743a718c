package io.valentia.eventbus.kafka;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread of a {@link KafkaEventSubscriber}: joins the group (or assigns every partition
 * for a replay), polls, queues the records for the handler, pauses the partitions while more than
 * {@link KafkaEventSubscriber.Options#maxPending()} records wait (it keeps polling, so it stays in
 * the group) and resumes them below half of that, commits through the {@link CommitTracker}, and on
 * stop commits what was handled and leaves.
 */
final class SubscriberPollLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriberPollLoop.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaEventSubscriber.Options options;
  private final CommitTracker commits;
  private final KafkaEventSubscriber.Stats stats;
  private final Runnable onRecords;
  private final Queue<PendingRecord> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final Promise<Void> stopped = Promise.promise();
  private final CompletableFuture<Void> firstAssignment = new CompletableFuture<>();
  private volatile boolean running = true;
  private boolean paused; // poll thread only

  /**
   * @param onRecords called on the poll thread after records were queued
   */
  SubscriberPollLoop(
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaEventSubscriber.Options options,
      CommitTracker commits,
      KafkaEventSubscriber.Stats stats,
      Runnable onRecords) {
    this.consumer = consumer;
    this.options = options;
    this.commits = commits;
    this.stats = stats;
    this.onRecords = onRecords;
  }

  /** The next record waiting for the handler, or null; call {@link #taken} when it is done. */
  PendingRecord next() {
    return queue.poll();
  }

  /** A record from {@link #next} is done with (handled, dead-lettered or dropped). */
  void taken() {
    pending.decrementAndGet();
  }

  boolean running() {
    return running;
  }

  /** See {@link KafkaEventSubscriber#firstAssignment()}. */
  CompletableFuture<Void> firstAssignment() {
    return firstAssignment;
  }

  /** Stops polling; the future completes once the consumer committed and left. */
  Future<Void> stop() {
    running = false;
    consumer.wakeup();
    return stopped.future();
  }

  @Override
  public void run() {
    try {
      if (options.groupId() != null) {
        consumer.subscribe(options.topics(), new Rebalance());
      } else {
        assignAll();
      }
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue;
        } catch (FencedInstanceIdException e) {
          throw new IllegalStateException(
              "another process joined group "
                  + options.groupId()
                  + " under this process's member name: two processes run on one data directory"
                  + " (or a copy of it); this one stops reading",
              e);
        } catch (RuntimeException e) {
          LOG.warn("group {}: poll failed, retrying: {}", options.groupId(), e.toString());
          sleep(1000);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          queue.add(new PendingRecord(record, tp, commits.epoch(tp)));
          pending.incrementAndGet();
          stats.received.incrementAndGet();
        }
        if (!records.isEmpty()) {
          onRecords.run();
        }
        applyBackPressure();
        commits.commitIfDue(consumer, false);
      }
    } catch (RuntimeException e) {
      LOG.error("group {}: consumer stopped", options.groupId(), e);
    } finally {
      try {
        commits.commitIfDue(consumer, true);
      } catch (RuntimeException e) {
        LOG.warn("group {}: final commit failed: {}", options.groupId(), e.toString());
      }
      // a static member leaves only when asked to: its partitions move to the others at once
      consumer.close(
          CloseOptions.timeout(Duration.ofSeconds(5))
              .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      stopped.tryComplete();
    }
  }

  /** Replay mode: every partition of the topics, from the beginning or the end, no group. */
  private void assignAll() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : options.topics()) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    if (options.fromBeginning()) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
  }

  private void applyBackPressure() {
    int waiting = pending.get();
    if (!paused && waiting > options.maxPending()) {
      consumer.pause(consumer.assignment());
      paused = true;
      stats.pauses.incrementAndGet();
    } else if (paused && waiting <= options.maxPending() / 2) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commits.revoked(consumer, partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      commits.forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (paused) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty() && !firstAssignment.isDone()) {
        // fix the start position now (an "end of the log" reset would otherwise happen later)
        partitions.forEach(consumer::position);
        firstAssignment.complete(null);
      }
    }
  }
}
