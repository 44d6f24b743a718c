package io.valentia.chaos.safety;

import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.state.ControlState;
import io.valentia.chaos.state.HaltState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.eventbus.payload.ChaosHalt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code valentia.control} for one injector: applies new {@code chaos.halt} commands (halt
 * and release) through the {@link HaltSwitch}, and is the injector's dead-man switch: when it
 * cannot reach the control topic for longer than the lease, it reverts every fault the injector
 * holds, stops every run and refuses new faults until contact is back.
 *
 * <p>It reads the topic from its end, never from its beginning: the halt switch as it stands (a
 * halt issued while the injector was down) comes from the {@code halt} entry of {@code
 * valentia.state.schedules}, which it also follows. The reader is placed at the end before the
 * table is read, so a command is either in the table or read from the topic; both carry the
 * command's id and each is applied once. Every injector reads every command (no consumer group).
 * Runs its own thread, and a timer for the lease.
 */
public final class ControlListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlListener.class);
  private static final String DEAD_MAN = "dead-man switch: ";

  private final KafkaSettings kafka;
  private final ControlSeal seal;
  private final StateTable<ControlState> standing;
  private final HaltSwitch halt;
  private final FaultInjector injector;
  private final ExperimentRunner runner;
  private final Duration lease;
  private final Clock clock;
  private final Thread thread;
  private final ScheduledExecutorService leaseTimer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "valentia-chaos-lease");
            t.setDaemon(true);
            return t;
          });
  private final Queue<HaltState> fromTable = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private volatile TopicReader reader;
  private volatile Instant lastContact;
  private volatile boolean tripped;
  private volatile boolean caughtUp;

  /**
   * @param seal what tells a halt sent by someone who may from one that is not (unsigned, forged,
   *     or from a role that may not halt): only the former are applied
   * @param standing the table with the halt switch as it stands; null to start released (an
   *     injector without state topics)
   */
  public ControlListener(
      KafkaSettings kafka,
      ControlSeal seal,
      StateTable<ControlState> standing,
      HaltSwitch halt,
      FaultInjector injector,
      ExperimentRunner runner,
      Duration lease,
      Clock clock) {
    this.kafka = kafka;
    this.seal = seal;
    this.standing = standing;
    this.halt = halt;
    this.injector = injector;
    this.runner = runner;
    this.lease = lease;
    this.clock = clock;
    this.lastContact = clock.instant();
    this.thread = new Thread(this::loop, "valentia-chaos-control");
    this.thread.setDaemon(true);
  }

  /** Starts following the topic. */
  public ControlListener start() {
    thread.start();
    long every = Math.max(50, Math.min(500, lease.toMillis() / 4));
    leaseTimer.scheduleWithFixedDelay(this::checkLease, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Whether the dead-man switch has fired and contact is not back. */
  public boolean tripped() {
    return tripped;
  }

  /**
   * Whether the halt switch as it stood at start is applied and every command from then on is read
   * from the topic.
   */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** When the control topic last answered. */
  public Instant lastContact() {
    return lastContact;
  }

  private void loop() {
    long nextCheck = 0;
    try {
      while (running) {
        try {
          if (reader == null) {
            reader =
                TopicReader.open(
                    kafka,
                    "chaos-control",
                    Topics.CONTROL,
                    Map.of("reconnect.backoff.max.ms", 1000));
            reader.positions(); // placed at the end now, before the table is read
            contact();
          }
          if (!caughtUp) {
            restoreStanding();
            caughtUp = true;
          }
          if (System.nanoTime() > nextCheck) {
            reader.endOffsets();
            contact();
            nextCheck = System.nanoTime() + Math.min(1000, lease.toMillis() / 3) * 1_000_000L;
          }
          for (LogRecord record : reader.poll(Duration.ofMillis(200))) {
            apply(record);
          }
          for (HaltState state = fromTable.poll(); state != null; state = fromTable.poll()) {
            apply(state);
          }
        } catch (RuntimeException e) {
          if (running) {
            LOG.debug("control topic not reachable: {}", e.toString());
            pause();
          }
        }
      }
    } finally {
      TopicReader r = reader;
      if (r != null) {
        r.close();
      }
    }
  }

  /** The halt switch as the table has it, then every change of it from now on. */
  private void restoreStanding() {
    if (standing == null) {
      return;
    }
    StateMigration.await(standing.restored(), "read " + standing.topic());
    standing.listen(
        (key, before, after) -> {
          if (ControlState.HALT.equals(key)
              && after != null
              && after.halt() != null
              && sealed(after)) {
            fromTable.add(after.halt());
          }
        });
    standing
        .get(ControlState.HALT)
        .filter(this::sealed)
        .map(ControlState::halt)
        .ifPresent(h -> halt.restore(h.commandId(), h.halted(), h.by(), h.reason()));
  }

  private boolean sealed(ControlState entry) {
    ControlSeal.Verdict verdict =
        seal.check(standing.topic(), ControlState.HALT, entry, ControlSeal.Action.HALT);
    if (!verdict.accepted()) {
      LOG.warn(
          "the halt switch in {} is refused, not applied: {}", standing.topic(), verdict.refusal());
    }
    return verdict.accepted();
  }

  private void apply(LogRecord record) {
    if (record.value() == null
        || !EventType.CHAOS_HALT.type().equals(EventCodec.peekType(record.value()))) {
      return; // schedules and the fault audit: the state tables carry what injectors need
    }
    CloudEvent event;
    try {
      event = EventCodec.instance().decode(record.value());
    } catch (InvalidEventException e) {
      return; // the dead-letter gate reports it
    }
    ControlSeal.Verdict verdict = seal.check(record, ControlSeal.Action.HALT);
    if (!verdict.accepted()) {
      LOG.warn(
          "{} at {}-{}@{} is refused, not applied: {}",
          event.type(),
          record.topic(),
          record.partition(),
          record.offset(),
          verdict.refusal());
      return;
    }
    ChaosHalt command = EventCodec.instance().payload(event, ChaosHalt.class);
    if (command.released()) {
      halt.release(event.id(), command.requestedBy(), command.reason());
    } else {
      halt.halt(event.id(), command.requestedBy(), command.reason());
    }
  }

  private void apply(HaltState state) {
    if (state.halted()) {
      halt.halt(state.commandId(), state.by(), state.reason());
    } else {
      halt.release(state.commandId(), state.by(), state.reason());
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
    try {
      Duration silent = Duration.between(lastContact, clock.instant());
      if (!tripped && silent.compareTo(lease) > 0) {
        tripped = true;
        String why =
            DEAD_MAN + "no contact with " + Topics.CONTROL + " for " + silent.toSeconds() + " s";
        if (!halt.halted()) {
          injector.refuseNew(why);
        }
        int reverted;
        int runs;
        if (runner == null) {
          reverted = injector.revertAll(why);
          runs = 0;
        } else {
          // as a halt does: runs waiting for their faults see the stop when the reverts wake them
          java.util.concurrent.atomic.AtomicInteger count =
              new java.util.concurrent.atomic.AtomicInteger();
          runs =
              runner.stopAll(
                  "interrupted", why, "dead-man switch", () -> count.set(injector.revertAll(why)));
          reverted = count.get();
        }
        LOG.error("{}: {} fault(s) reverted, {} run(s) stopped", why, reverted, runs);
      }
    } catch (RuntimeException e) {
      LOG.error("the dead-man switch could not act: {}", e.toString());
    }
  }

  private void pause() {
    try {
      Thread.sleep(500); // Kafka refused at once (e.g. the topic is missing): try again soon
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    leaseTimer.shutdownNow();
    TopicReader r = reader;
    if (r != null) {
      r.wakeup();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
