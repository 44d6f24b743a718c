package io.valentia.chaos.schedule;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
 * Which of several injectors fires the schedules: Kafka decides. Every injector joins one consumer
 * group on {@code valentia.control}; the member that is assigned partition 0 leads. The sticky
 * assignor keeps partition 0 where it is when members come and go, so the leader changes only when
 * it leaves: at once when it stops cleanly, after the session timeout when it crashes. Assigned
 * partitions are paused (the group only elects; commands are read by each injector's control
 * listener).
 *
 * <p>A new leader leads only once its injector has read the control topic up to where it stood at
 * the handover, so it knows every firing the old leader recorded and fires none of them again. Runs
 * its own thread. Thread-safe.
 */
public final class ScheduleLeadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleLeadership.class);
  private static final TopicPartition LEADER_PARTITION = new TopicPartition(Topics.CONTROL, 0);

  private final KafkaSettings kafka;
  private final String group;
  private final Duration sessionTimeout;
  private final Predicate<Map<TopicPartition, Long>> caughtUp;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean holding;
  private volatile Map<TopicPartition, Long> handoverEnds;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  /**
   * @param group the consumer group: one per set of injectors that share schedules
   * @param sessionTimeout how long a crashed leader keeps the lead (at least the broker's
   *     group.min.session.timeout.ms, 6 s by default)
   * @param caughtUp whether this injector has read the control topic up to the given end offsets
   */
  public ScheduleLeadership(
      KafkaSettings kafka,
      String group,
      Duration sessionTimeout,
      Predicate<Map<TopicPartition, Long>> caughtUp) {
    this.kafka = kafka;
    this.group = group;
    this.sessionTimeout = sessionTimeout;
    this.caughtUp = caughtUp;
    this.thread = new Thread(this::loop, "valentia-schedule-leadership");
    this.thread.setDaemon(true);
  }

  /** Joins the group. */
  public ScheduleLeadership start() {
    thread.start();
    return this;
  }

  /** Whether this injector leads now and knows every firing recorded before it took the lead. */
  public boolean leader() {
    if (!holding) {
      return false;
    }
    Map<TopicPartition, Long> ends = handoverEnds;
    if (ends != null) {
      if (!caughtUp.test(ends)) {
        return false;
      }
      handoverEnds = null;
    }
    return holding;
  }

  private void loop() {
    Map<String, Object> props = kafka.commonClientProperties("chaos-schedule-leader");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    props.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        (int) Math.max(500, sessionTimeout.toMillis() / 4));
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      consumer.subscribe(List.of(Topics.CONTROL), new Listener());
      while (running) {
        try {
          consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          // the coordinator calls onPartitionsLost when the session cannot be kept
          LOG.debug("schedule leadership: {}", e.toString());
        }
      }
    } finally {
      lose("this injector stops");
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private void lose(String why) {
    if (holding) {
      holding = false;
      LOG.info("no longer leads the schedules of group {}: {}", group, why);
    }
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      consumer.pause(partitions);
      if (partitions.contains(LEADER_PARTITION) && !holding) {
        List<TopicPartition> all = new ArrayList<>();
        consumer
            .partitionsFor(Topics.CONTROL)
            .forEach(p -> all.add(new TopicPartition(Topics.CONTROL, p.partition())));
        handoverEnds = consumer.endOffsets(all);
        holding = true;
        LOG.info("leads the schedules of group {}", group);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.contains(LEADER_PARTITION)) {
        lose("partition 0 was revoked");
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (partitions.contains(LEADER_PARTITION)) {
        lose("partition 0 was lost");
      }
    }
  }

  /** Leaves the group; another injector takes the lead at once. */
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
