package io.valentia.notifications.delivery;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;

/**
 * The outbox's clock and timers, injectable so that a test can run an hour of retries in a second.
 * Implementations are thread-safe; a task may run on any thread (the outbox moves to its own
 * context).
 */
public interface Scheduler {

  /** The current time. */
  Instant now();

  /**
   * Runs {@code task} once {@code delay} has passed on this scheduler's clock.
   *
   * @param delay zero or more; a negative delay counts as zero
   * @return cancels the task if it has not run yet
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** Wall-clock time and Vert.x timers. */
  static Scheduler of(Vertx vertx) {
    return new Scheduler() {
      @Override
      public Instant now() {
        return Instant.now();
      }

      @Override
      public Cancellable schedule(Duration delay, Runnable task) {
        long ms = Math.max(1, delay.toMillis());
        long id = vertx.setTimer(ms, t -> task.run());
        return () -> vertx.cancelTimer(id);
      }
    };
  }
}
