package io.valentia.bench;

import io.valentia.notifications.delivery.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * The outbox's clock and timers, moved only by {@link #advance}: an hour of retries then takes
 * seconds. Every task that falls due runs, in time order, on the caller's thread. Thread-safe.
 */
final class SimulatedClock implements Scheduler {
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due.equals(b.due) ? Long.compare(a.seq, b.seq) : a.due.compareTo(b.due));
  private Instant now;
  private long seq;

  SimulatedClock(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
    tasks.add(t);
    return () -> {
      synchronized (SimulatedClock.this) {
        tasks.remove(t);
      }
    };
  }

  /** Moves the clock by {@code step}, running what falls due on the way. */
  void advance(Duration step) {
    Instant target;
    synchronized (this) {
      target = now.plus(step);
    }
    while (true) {
      Runnable due;
      synchronized (this) {
        Task next = tasks.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.due;
        due = next.task;
      }
      due.run();
    }
  }

  /** How many tasks wait. */
  synchronized int scheduled() {
    return tasks.size();
  }

  private record Task(Instant due, long seq, Runnable task) {}
}
