package io.valentia.chaos.safety;

import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.ChaosHalt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code valentia.control} for one injector: applies {@code chaos.halt} commands (halt and
 * release) through the {@link HaltSwitch}, and is the injector's dead-man switch: when it cannot
 * reach the control topic for longer than the lease, it reverts every fault the injector holds,
 * stops every run and refuses new faults until contact is back.
 *
 * <p>At start it reads the topic from the beginning, so a halt issued while the injector was down
 * still holds. Every injector reads every command (no consumer group). Runs its own thread.
 */
public final class ControlListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlListener.class);
  private static final String DEAD_MAN = "dead-man switch: ";

  private final KafkaSettings kafka;
  private final HaltSwitch halt;
  private final FaultInjector injector;
  private final ExperimentRunner runner;
  private final Duration lease;
  private final Clock clock;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile Instant lastContact;
  private volatile boolean tripped;
  private volatile boolean caughtUp;
  private volatile java.util.function.Consumer<CloudEvent> others = e -> {};
  private volatile Map<TopicPartition, Long> positions = Map.of();

  public ControlListener(
      KafkaSettings kafka,
      HaltSwitch halt,
      FaultInjector injector,
      ExperimentRunner runner,
      Duration lease,
      Clock clock) {
    this.kafka = kafka;
    this.halt = halt;
    this.injector = injector;
    this.runner = runner;
    this.lease = lease;
    this.clock = clock;
    this.lastContact = clock.instant();
    this.thread = new Thread(this::loop, "valentia-chaos-control");
    this.thread.setDaemon(true);
  }

  /**
   * Hands every other command on the topic (schedules) to {@code handler}, on the listener's
   * thread, from the beginning of the topic. Set before {@link #start()}.
   */
  public ControlListener onOtherCommands(java.util.function.Consumer<CloudEvent> handler) {
    this.others = handler;
    return this;
  }

  /** Starts following the topic. */
  public ControlListener start() {
    thread.start();
    return this;
  }

  /** Whether the dead-man switch has fired and contact is not back. */
  public boolean tripped() {
    return tripped;
  }

  /** Whether the commands already on the topic at start have been applied. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /**
   * Whether every command up to {@code offsets} (end offsets by partition) has been applied: what a
   * new schedule leader waits for, so it knows every firing recorded before it took the lead.
   */
  public boolean reached(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> at = positions;
    return offsets.entrySet().stream()
        .allMatch(e -> at.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  /** When the control topic last answered. */
  public Instant lastContact() {
    return lastContact;
  }

  private void loop() {
    Map<String, Object> props = kafka.commonClientProperties("chaos-control");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(
        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1000, lease.toMillis() / 2));
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, lease.toMillis() / 2));
    props.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    long nextCheck = 0;
    Map<TopicPartition, Long> startEnds = null;
    try {
      while (running) {
        try {
          if (partitions.isEmpty()) {
            consumer
                .partitionsFor(
                    Topics.CONTROL, Duration.ofMillis(Math.max(1000, lease.toMillis() / 2)))
                .forEach(p -> partitions.add(new TopicPartition(Topics.CONTROL, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            startEnds = consumer.endOffsets(partitions, Duration.ofSeconds(5));
            contact();
          }
          if (System.nanoTime() > nextCheck) {
            consumer.endOffsets(partitions, Duration.ofMillis(Math.max(500, lease.toMillis() / 3)));
            contact();
            nextCheck = System.nanoTime() + Math.min(1000, lease.toMillis() / 3) * 1_000_000L;
          }
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            boolean replay =
                !caughtUp
                    && startEnds != null
                    && record.offset()
                        < startEnds.getOrDefault(
                            new TopicPartition(record.topic(), record.partition()), 0L);
            apply(record, replay);
          }
          Map<TopicPartition, Long> now = new java.util.HashMap<>();
          for (TopicPartition tp : partitions) {
            now.put(tp, consumer.position(tp));
          }
          positions = Map.copyOf(now);
          if (!caughtUp && startEnds != null) {
            final Map<TopicPartition, Long> ends = startEnds;
            if (partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
              if (pendingHalt != null) {
                halt.restore(
                    !pendingHalt.released(), pendingHalt.requestedBy(), pendingHalt.reason());
              }
              caughtUp = true;
            }
          }
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          LOG.debug("control topic not reachable: {}", e.toString());
        }
        checkLease();
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
  }

  private ChaosHalt pendingHalt;

  private void apply(ConsumerRecord<byte[], byte[]> record, boolean replay) {
    CloudEvent event;
    try {
      event = EventCodec.instance().decode(record.value());
    } catch (InvalidEventException e) {
      return;
    }
    if (!EventType.CHAOS_HALT.type().equals(event.type())) {
      try {
        others.accept(event);
      } catch (RuntimeException e) {
        LOG.warn(
            "control command {} of type {} failed: {}", event.id(), event.type(), e.getMessage());
      }
      return;
    }
    ChaosHalt command = EventCodec.instance().payload(event, ChaosHalt.class);
    if (replay) {
      pendingHalt = command;
      return;
    }
    if (command.released()) {
      halt.release(event.id(), command.requestedBy(), command.reason());
    } else {
      halt.halt(event.id(), command.requestedBy(), command.reason());
    }
  }

  private void contact() {
    lastContact = clock.instant();
    if (tripped) {
      tripped = false;
      String refusal = injector.refusal();
      if (refusal != null && refusal.startsWith(DEAD_MAN) && !halt.halted()) {
        injector.acceptNew();
      }
      LOG.warn("contact with {} is back; new faults are accepted again", Topics.CONTROL);
    }
  }

  private void checkLease() {
    Duration silent = Duration.between(lastContact, clock.instant());
    if (!tripped && silent.compareTo(lease) > 0) {
      tripped = true;
      String why =
          DEAD_MAN + "no contact with " + Topics.CONTROL + " for " + silent.toSeconds() + " s";
      if (!halt.halted()) {
        injector.refuseNew(why);
      }
      int reverted = injector.revertAll(why);
      int runs = runner == null ? 0 : runner.stopAll("interrupted", why, "dead-man switch");
      LOG.error("{}: {} fault(s) reverted, {} run(s) stopped", why, reverted, runs);
    }
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
