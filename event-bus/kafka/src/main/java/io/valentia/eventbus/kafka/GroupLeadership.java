package io.valentia.eventbus.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the processes that share a job, elected by Kafka: every member joins one
 * consumer group on a topic, and the member that is assigned partition 0 leads. The sticky assignor
 * keeps partition 0 where it is when members come and go, so the lead changes only when its holder
 * leaves: at once when it stops cleanly, after the session timeout when it crashes (a process that
 * restarts under its {@link KafkaSettings#member() member name} takes its place back at once).
 * Assigned partitions are paused: the group elects, it reads nothing.
 *
 * <p>A member that is given partition 0 leads only once its {@link Handover} has returned, e.g.
 * after it has read the state its predecessor wrote up to the moment of the handover; a handover
 * that fails is tried again about once a second while the member holds the partition.
 *
 * <p>Runs its own thread. Thread-safe.
 */
public final class GroupLeadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupLeadership.class);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final KafkaSettings settings;
  private final String group;
  private final TopicPartition leaderPartition;
  private final Duration sessionTimeout;
  private final Handover handover;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean holding;
  private volatile boolean ready;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  /** What a member does after it is given the lead and before it leads. */
  @FunctionalInterface
  public interface Handover {
    /**
     * Prepares to lead; runs on the leadership thread while this member holds partition 0.
     *
     * @throws Exception when it cannot: the member does not lead yet and tries again later
     */
    void takeOver() throws Exception;
  }

  /**
   * @param group the consumer group: one per set of members that share the job
   * @param topic an existing topic; its partition 0 is the lead (nothing is read from it)
   * @param sessionTimeout how long a crashed leader keeps the lead (at least the broker's {@code
   *     group.min.session.timeout.ms}, 6 s by default)
   * @param handover run before this member leads, each time it is given the lead
   */
  public GroupLeadership(
      KafkaSettings settings,
      String group,
      String topic,
      Duration sessionTimeout,
      Handover handover) {
    this.settings = settings;
    this.group = group;
    this.leaderPartition = new TopicPartition(topic, 0);
    this.sessionTimeout = sessionTimeout;
    this.handover = handover;
    this.thread = new Thread(this::loop, "valentia-leadership-" + group);
    this.thread.setDaemon(true);
  }

  /** Joins the group. */
  public GroupLeadership start() {
    thread.start();
    return this;
  }

  /** Whether this member leads now: it holds partition 0 and its handover has returned. */
  public boolean leads() {
    return holding && ready;
  }

  private void loop() {
    Map<String, Object> props = settings.commonClientProperties("leadership");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    settings
        .groupInstanceId(group)
        .ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    props.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        (int) Math.max(500, sessionTimeout.toMillis() / 4));
    try {
      consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    } catch (RuntimeException e) {
      LOG.error("leadership of group {} cannot start: this member never leads", group, e);
      return;
    }
    long nextTry = 0;
    try {
      consumer.subscribe(List.of(leaderPartition.topic()), new Listener());
      while (running) {
        try {
          consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          continue; // closing
        } catch (RuntimeException e) {
          // the coordinator calls onPartitionsLost when the session cannot be kept
          LOG.debug("leadership of group {}: {}", group, e.toString());
        }
        if (holding && !ready && running && System.nanoTime() >= nextTry) {
          takeOver();
          nextTry = System.nanoTime() + RETRY.toNanos();
        }
      }
    } finally {
      lose("this member stops");
      consumer.close(
          CloseOptions.timeout(Duration.ofSeconds(2))
              .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
  }

  private void takeOver() {
    try {
      handover.takeOver();
      if (holding) {
        ready = true;
        LOG.info("leads group {}", group);
      }
    } catch (Exception e) {
      LOG.warn("holds the lead of group {} but cannot take over yet: {}", group, e.toString());
    }
  }

  private void lose(String why) {
    if (holding) {
      holding = false;
      ready = false;
      LOG.info("no longer leads group {}: {}", group, why);
    }
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      consumer.pause(partitions);
      if (partitions.contains(leaderPartition) && !holding) {
        ready = false;
        holding = true;
        LOG.info("was given the lead of group {}", group);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.contains(leaderPartition)) {
        lose("partition 0 was revoked");
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (partitions.contains(leaderPartition)) {
        lose("partition 0 was lost");
      }
    }
  }

  /** Leaves the group, so another member takes the lead at once; waits up to 10 s. */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
