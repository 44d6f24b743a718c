package io.valentia.notifications.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock that moves only when a test says: {@link #advance} runs every task that falls due, in
 * time order, on the caller's thread. Thread-safe.
 */
final class SimulatedTime implements Scheduler {
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due.equals(b.due) ? Long.compare(a.seq, b.seq) : a.due.compareTo(b.due));
  private Instant now;
  private long seq;

  SimulatedTime(Instant start) {
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
      synchronized (SimulatedTime.this) {
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
      List<Runnable> due = new ArrayList<>();
      synchronized (this) {
        Task next = tasks.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.due;
        due.add(next.task);
      }
      due.forEach(Runnable::run);
    }
  }

  /** When the next task is due; null when none is scheduled. */
  synchronized Instant nextDue() {
    Task next = tasks.peek();
    return next == null ? null : next.due;
  }

  /** How many tasks wait. */
  synchronized int scheduled() {
    return tasks.size();
  }

  private record Task(Instant due, long seq, Runnable task) {}
}
