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
        continue;
      }
      if (e.schedule.options().blackedOut(due)) {
        record(e, due, "skipped: blackout", null);
        continue;
      }
      e.runs.removeIf(r -> !r.running());
      if (!e.runs.isEmpty()) {
        switch (e.schedule.options().concurrency()) {
          case FORBID -> {
            record(e, due, "skipped: still running", null);
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
        RunHandle run = launcher.launch(e.schedule);
        e.runs.add(run);
        record(e, due, "started", run.runId());
      } catch (RuntimeException ex) {
        LOG.warn("schedule {} could not start: {}", e.schedule.id(), ex.getMessage());
        record(e, due, "failed: " + ex.getMessage(), null);
      }
    }
  }

  private void record(Entry e, ZonedDateTime due, String outcome, String runId) {
    e.history.addLast(new Firing(due.toInstant(), outcome, runId));
    while (e.history.size() > e.schedule.options().historyLimit()) {
      e.history.removeFirst();
    }
  }

  private ZonedDateTime nextAfter(Schedule schedule, ZonedDateTime after) {
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
