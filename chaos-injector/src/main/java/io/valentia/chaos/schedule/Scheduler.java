package io.valentia.chaos.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires scheduled experiments. Time comes from the injected {@link Clock}; {@link #tick()} is
 * called about once a second (by the service's timer, or by a test that moves the clock). Each
 * firing honours the schedule's blackout windows, jitter, concurrency policy (forbid, allow,
 * replace) and missed-run policy (skip, run once), and is remembered up to the history limit.
 * Thread-safe.
 */
public final class Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  /** A firing later than this is a missed one. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private final Clock clock;
  private final Launcher launcher;
  private final Random random;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private volatile java.util.function.BooleanSupplier leadership = () -> true;
  private volatile FiringLog firingLog = (schedule, due, outcome) -> {};

  /** Where the leading scheduler records its firings, so the others never fire them again. */
  @FunctionalInterface
  public interface FiringLog {
    /**
     * Records that {@code schedule}'s firing due at {@code due} was handled; returns once stored.
     *
     * @param outcome {@code started}, {@code skipped: ...} or {@code failed: ...}
     * @throws RuntimeException when it could not be stored (a run is then not started)
     */
    void fired(Schedule schedule, Instant due, String outcome);

    /**
     * Adds the run's id to a firing recorded as {@code started}, once the run started; never
     * throws. Default: nothing.
     */
    default void ran(Schedule schedule, Instant due, String runId) {}
  }

  /** Starts runs. */
  public interface Launcher {
    /** Starts a run of {@code schedule}'s experiment and returns a handle to it. */
    RunHandle launch(Schedule schedule);
  }

  /** A run started by the scheduler. */
  public interface RunHandle {
    String runId();

    boolean running();

    /** Stops the run (its rollbacks still run). */
    void stop(String reason);
  }

  /**
   * One remembered firing.
   *
   * @param at when it was due
   * @param outcome {@code started}, {@code skipped: blackout}, {@code skipped: still running},
   *     {@code skipped: missed}, {@code replaced}, {@code failed: ...}
   * @param runId the run it started; null when none
   */
  public record Firing(Instant at, String outcome, String runId) {}

  /**
   * A schedule's state.
   *
   * @param schedule the schedule
   * @param nextRun the next firing; null when none
   * @param history past firings, newest last
   */
  public record State(Schedule schedule, Instant nextRun, List<Firing> history) {}

  public Scheduler(Clock clock, Launcher launcher, Random random) {
    this.clock = clock;
    this.launcher = launcher;
    this.random = random;
  }

  /**
   * Fires only while {@code leader} says so (several injectors share the schedules; one leads).
   * Default: always.
   */
  public Scheduler leadership(java.util.function.BooleanSupplier leader) {
    this.leadership = leader;
    return this;
  }

  /** Records every firing there before a run starts. Default: nowhere. */
  public Scheduler firingLog(FiringLog log) {
    this.firingLog = log;
    return this;
  }

  /** Whether this scheduler fires (it leads). */
  public boolean leads() {
    return leadership.getAsBoolean();
  }

  /**
   * A firing another scheduler (the leader) recorded: the schedule's next firing moves past it and
   * it joins the history. A firing already known changes nothing but its run id, when that was not
   * known yet.
   */
  public synchronized void fired(String scheduleId, Instant due, String outcome, String runId) {
    Entry e = entries.get(scheduleId);
    if (e == null) {
      return;
    }
    ZonedDateTime at = due.atZone(e.schedule.options().zone());
    if (e.next != null && !e.next.isAfter(at)) {
      e.next = nextAfter(e.schedule, at);
    }
    Firing known = e.history.stream().filter(f -> f.at().equals(due)).findFirst().orElse(null);
    if (known == null) {
      record(e, at, outcome + " (by the leader)", runId);
    } else if (known.runId() == null && runId != null) {
      // the leader recorded the firing before its run started, and the run's id once it had one
      List<Firing> all = new ArrayList<>(e.history);
      all.replaceAll(f -> f == known ? new Firing(f.at(), f.outcome(), runId) : f);
      e.history.clear();
      e.history.addAll(all);
    }
  }

  /** Adds or replaces a schedule; returns its next firing (null when none). */
  public synchronized Instant put(Schedule schedule) {
    Entry old = entries.get(schedule.id());
    Entry entry = new Entry(schedule);
    if (old != null) {
      entry.history.addAll(old.history);
      entry.runs.addAll(old.runs);
    }
    entry.next = nextAfter(schedule, ZonedDateTime.now(clock));
    entries.put(schedule.id(), entry);
    return entry.next == null ? null : entry.next.toInstant();
  }

  /** Removes a schedule; runs in progress go on. Returns whether it existed. */
  public synchronized boolean remove(String id) {
    return entries.remove(id) != null;
  }

  /** Every schedule with its next firing and history. */
  public synchronized List<State> states() {
    List<State> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(
          new State(
              e.schedule, e.next == null ? null : e.next.toInstant(), List.copyOf(e.history)));
    }
    return out;
  }

  /** Fires every schedule that is due. */
  public synchronized void tick() {
    if (!leadership.getAsBoolean()) {
      return;
    }
    ZonedDateTime now = ZonedDateTime.now(clock);
    for (Entry e : entries.values()) {
      if (e.next == null || now.isBefore(e.next)) {
        continue;
      }
      ZonedDateTime due = e.next;
      boolean missed = Duration.between(due, now).compareTo(GRACE) > 0;
      e.next = nextAfter(e.schedule, missed ? now : due);
      if (missed && e.schedule.options().missed() == ScheduleOptions.Missed.SKIP) {
        record(e, due, "skipped: missed", null);
        logQuietly(e, due, "skipped: missed");
        continue;
      }
      if (e.schedule.options().blackedOut(due)) {
        record(e, due, "skipped: blackout", null);
        logQuietly(e, due, "skipped: blackout");
        continue;
      }
      e.runs.removeIf(r -> !r.running());
      if (!e.runs.isEmpty()) {
        switch (e.schedule.options().concurrency()) {
          case FORBID -> {
            record(e, due, "skipped: still running", null);
            logQuietly(e, due, "skipped: still running");
            continue;
          }
          case REPLACE -> {
            e.runs.forEach(r -> r.stop("replaced by the next run of schedule " + e.schedule.id()));
            e.runs.clear();
          }
          case ALLOW -> {
            // another run beside it
          }
        }
      }
      try {
        firingLog.fired(e.schedule, due.toInstant(), "started");
      } catch (RuntimeException ex) {
        LOG.warn(
            "schedule {}: the firing could not be recorded: {}", e.schedule.id(), ex.getMessage());
        record(e, due, "failed: the firing could not be recorded: " + ex.getMessage(), null);
        continue;
      }
      try {
        RunHandle run = launcher.launch(e.schedule);
        e.runs.add(run);
        record(e, due, "started", run.runId());
        firingLog.ran(e.schedule, due.toInstant(), run.runId());
      } catch (RuntimeException ex) {
        LOG.warn("schedule {} could not start: {}", e.schedule.id(), ex.getMessage());
        record(e, due, "failed: " + ex.getMessage(), null);
      }
    }
  }

  private void logQuietly(Entry e, ZonedDateTime due, String outcome) {
    try {
      firingLog.fired(e.schedule, due.toInstant(), outcome);
    } catch (RuntimeException ex) {
      LOG.debug("schedule {}: {} not recorded: {}", e.schedule.id(), outcome, ex.getMessage());
    }
  }

  private void record(Entry e, ZonedDateTime due, String outcome, String runId) {
    e.history.addLast(new Firing(due.toInstant(), outcome, runId));
    while (e.history.size() > e.schedule.options().historyLimit()) {
      e.history.removeFirst();
    }
  }

  private ZonedDateTime nextAfter(Schedule schedule, ZonedDateTime after) {
    if (schedule.options().paused()) {
      return null; // no firing until it is resumed
    }
    ZonedDateTime next = schedule.trigger().next(after, schedule.options().zone());
    if (next == null) {
      return null;
    }
    Duration jitter = schedule.options().jitter();
    if (!jitter.isZero()) {
      next = next.plus(Duration.ofMillis((long) (random.nextDouble() * jitter.toMillis())));
    }
    return next;
  }

  private static final class Entry {
    final Schedule schedule;
    final Deque<Firing> history = new ArrayDeque<>();
    final List<RunHandle> runs = new ArrayList<>();
    ZonedDateTime next;

    Entry(Schedule schedule) {
      this.schedule = schedule;
    }
  }
}
