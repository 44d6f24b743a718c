package io.valentia.chaos.schedule;

import io.valentia.chaos.safety.ControlSeal;
import io.valentia.chaos.state.ControlState;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.ExperimentScheduled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedules in {@code valentia.state.schedules} (see {@link ControlState}): what every injector
 * reads at start and follows (a schedule added through any injector's API or the CLI shows up in
 * every scheduler), where schedule changes are written, and where the leading scheduler records
 * each firing before its run starts. A schedule is applied only when its seal says that someone who
 * may schedule wrote it ({@link ControlSeal}); others are refused (and reported once). Thread-safe.
 */
public final class ScheduleTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleTable.class);
  private static final long WRITE_TIMEOUT_SECONDS = 10;

  private final KafkaSettings kafka;
  private final StateTable<ControlState> table;
  private final ControlSeal seal;
  private final Map<String, ExperimentScheduled> applied = new HashMap<>(); // guarded by itself
  private final Map<String, ControlState> refused = new HashMap<>(); // guarded by applied

  /**
   * Applies the table's changes to the scheduler in log order, off the table's reader thread: a
   * scheduler that waits for its own firing to be read back holds its lock meanwhile.
   */
  private final ExecutorService applier =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "valentia-schedule-table");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param kafka where the table is, to read it afresh at a handover ({@link #catchUp})
   * @param table the table of {@code valentia.state.schedules}
   * @param seal seals the schedules written here and checks those read
   */
  public ScheduleTable(KafkaSettings kafka, StateTable<ControlState> table, ControlSeal seal) {
    this.kafka = kafka;
    this.table = table;
    this.seal = seal;
  }

  /**
   * Keeps {@code scheduler} in step with the table from now on: its schedules are added, changed
   * and removed as the table's are, and the firings another injector recorded count as done.
   */
  public ScheduleTable follow(Scheduler scheduler) {
    table.listen((key, before, after) -> applier.execute(() -> apply(scheduler, key, after)));
    Map<String, ControlState> now = table.snapshot();
    applier.execute(() -> now.forEach((key, value) -> apply(scheduler, key, value)));
    return this;
  }

  /**
   * Brings {@code scheduler} up to everything the table holds on Kafka now, not only what this
   * process has read so far: what a new leader does before it fires, so that it knows every firing
   * its predecessor recorded (the predecessor wrote each before its run started). Reads the table
   * afresh into a copy, which costs time in proportion to the schedules; blocks up to a minute.
   *
   * @throws io.valentia.eventbus.ValentiaException when Kafka does not answer in time
   */
  public void catchUp(Scheduler scheduler) {
    try (StateTable<ControlState> now =
        StateTable.open(kafka, Topics.STATE_SCHEDULES, ControlState.class)) {
      StateMigration.await(now.restored(), "read " + Topics.STATE_SCHEDULES + " at the handover");
      now.snapshot().forEach((key, value) -> apply(scheduler, key, value));
    }
  }

  private void apply(Scheduler scheduler, String key, ControlState value) {
    String id = ControlState.scheduleIdOf(key);
    if (id != null) {
      synchronized (applied) {
        if (value == null || value.schedule() == null) {
          applied.remove(id);
          refused.remove(id);
          scheduler.remove(id);
        } else if (value.equals(refused.get(id))) {
          return; // refused and reported already
        } else if (!accepted(key, value)) {
          refused.put(id, value);
          applied.remove(id);
          scheduler.remove(id); // what replaced a schedule is refused: the old one stops too
        } else if (!value.schedule().equals(applied.get(id))) {
          refused.remove(id);
          try {
            scheduler.put(ScheduleRecords.schedule(value.schedule()));
            applied.put(id, value.schedule());
          } catch (IllegalArgumentException e) {
            LOG.warn("{} in {} is not a schedule: {}", key, table.topic(), e.getMessage());
          }
        }
      }
      return;
    }
    String fired = ControlState.firedIdOf(key);
    if (fired != null && value != null && value.firings() != null) {
      value.firings().forEach(f -> scheduler.fired(fired, f.at(), f.outcome(), f.runId()));
    }
  }

  private boolean accepted(String key, ControlState value) {
    ControlSeal.Verdict verdict =
        seal.check(table.topic(), key, value, ControlSeal.Action.SCHEDULE);
    if (!verdict.accepted()) {
      LOG.warn("{} in {} is refused, not scheduled: {}", key, table.topic(), verdict.refusal());
    }
    return verdict.accepted();
  }

  /** Every schedule in the table, by id, in the order they were first written. */
  public Map<String, ExperimentScheduled> schedules() {
    Map<String, ExperimentScheduled> out = new LinkedHashMap<>();
    table
        .snapshot()
        .forEach(
            (key, value) -> {
              String id = ControlState.scheduleIdOf(key);
              if (id != null && value.schedule() != null) {
                out.put(id, value.schedule());
              }
            });
    return out;
  }

  /**
   * Adds or replaces a schedule, sealed as written by {@code by}.
   *
   * @return completes once the table on Kafka has it, and so has every scheduler following this
   *     table in this process
   */
  public CompletableFuture<Void> put(ExperimentScheduled record, ControlSeal.Sender by) {
    String key = ControlState.scheduleKey(record.scheduleId());
    return applied(table.put(key, seal.seal(table.topic(), key, ControlState.of(record), by)));
  }

  /** Removes a schedule and its firings (tombstones); completes like {@link #put}. */
  public CompletableFuture<Void> remove(String id) {
    return applied(
        CompletableFuture.allOf(
            table.remove(ControlState.scheduleKey(id)), table.remove(ControlState.firedKey(id))));
  }

  /**
   * Completes after {@code written}, once the schedulers of this process have applied it too: the
   * table hands a record to the applier before the write that made it completes.
   */
  private CompletableFuture<Void> applied(CompletableFuture<Void> written) {
    return written.thenRunAsync(() -> {}, applier);
  }

  /**
   * The firing log of the leading scheduler: each firing is added to the schedule's latest firings
   * in the table, and read back, before the run starts (up to 10 s; the run does not start when it
   * fails); the run's id is added once it started. Only the leader writes firings, so the firings
   * it reads from the table are the latest. Blocks the ticking thread, never an event loop.
   */
  public Scheduler.FiringLog firingLog() {
    return new Scheduler.FiringLog() {
      @Override
      public void fired(Schedule schedule, Instant due, String outcome) {
        write(schedule, new Scheduler.Firing(due, outcome, null));
      }

      @Override
      public void ran(Schedule schedule, Instant due, String runId) {
        try {
          write(schedule, new Scheduler.Firing(due, "started", runId));
        } catch (RuntimeException e) {
          LOG.warn(
              "schedule {}: the run id of the firing due at {} was not recorded: {}",
              schedule.id(),
              due,
              e.getMessage());
        }
      }
    };
  }

  /** Stops applying the table's changes. */
  @Override
  public void close() {
    applier.shutdownNow();
  }

  private void write(Schedule schedule, Scheduler.Firing firing) {
    String key = ControlState.firedKey(schedule.id());
    List<Scheduler.Firing> latest = new ArrayList<>();
    table
        .get(key)
        .map(ControlState::firings)
        .ifPresent(
            f -> f.stream().filter(old -> !old.at().equals(firing.at())).forEach(latest::add));
    latest.add(firing);
    while (latest.size() > schedule.options().historyLimit()) {
      latest.remove(0);
    }
    try {
      table.put(key, ControlState.of(latest)).get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not take it: " + (e.getCause() == null ? e : e.getCause()).toString(), e);
    }
  }
}
