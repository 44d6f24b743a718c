package io.valentia.notifications.delivery;

import io.valentia.notifications.receiver.Integration;
import io.vertx.core.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One integration's queue in the {@link Outbox}, its wake-up timer and how the integration is
 * doing. The queue fields are used on the outbox's context only; the status fields are volatile so
 * that {@link #status()} may be read from any thread.
 */
final class Lane {
  final String id;
  final Integration integration; // null when no longer configured
  final TreeMap<Long, PendingDelivery> queue = new TreeMap<>();
  final TreeSet<Long> recording = new TreeSet<>();
  final Set<String> known = new HashSet<>();
  boolean inFlight;
  Instant nextAllowedAt;
  private final Scheduler scheduler;
  private final Context context;
  private final int failingAfter;
  private volatile Scheduler.Cancellable wake;
  private volatile int queued;
  private volatile Instant lastSuccess;
  private volatile Instant lastFailure;
  private volatile Instant failingSince;
  private volatile String lastError;
  private volatile int consecutiveFailures;
  private volatile boolean givenUpSinceSuccess;

  /**
   * @param integration null for a queue restored for an integration no longer configured
   * @param context where the wake-up task runs
   * @param failingAfter consecutive failed attempts after which the integration counts as failing
   */
  Lane(String id, Integration integration, Scheduler scheduler, Context context, int failingAfter) {
    this.id = id;
    this.integration = integration;
    this.scheduler = scheduler;
    this.context = context;
    this.failingAfter = failingAfter;
  }

  PendingDelivery head() {
    var first = queue.firstEntry();
    return first == null ? null : first.getValue();
  }

  void add(PendingDelivery p) {
    queue.put(p.sequence(), p);
    known.add(p.key());
    queued = queue.size();
  }

  void replace(PendingDelivery before, PendingDelivery after) {
    queue.put(after.sequence(), after);
  }

  void remove(PendingDelivery p) {
    queue.remove(p.sequence());
    known.remove(p.key());
    queued = queue.size();
  }

  /** Runs {@code task} on the context at {@code at} (at once if it has passed), in place of any. */
  void wake(Instant at, Instant now, Runnable task) {
    cancelWake();
    Duration delay = Duration.between(now, at);
    wake =
        scheduler.schedule(
            delay.isNegative() ? Duration.ZERO : delay,
            () ->
                context.runOnContext(
                    v -> {
                      wake = null;
                      task.run();
                    }));
  }

  void cancelWake() {
    Scheduler.Cancellable w = wake;
    wake = null;
    if (w != null) {
      w.cancel();
    }
  }

  void succeeded(Instant now) {
    lastSuccess = now;
    consecutiveFailures = 0;
    givenUpSinceSuccess = false;
    failingSince = null;
  }

  void failed(Instant now, String error, boolean givenUp) {
    lastFailure = now;
    lastError = error;
    consecutiveFailures++;
    if (failingSince == null) {
      failingSince = now;
    }
    givenUpSinceSuccess |= givenUp;
  }

  /** Whether it counts as failing; a queue of an integration no longer configured never does. */
  boolean failing() {
    if (integration == null) {
      return false;
    }
    return givenUpSinceSuccess || consecutiveFailures >= failingAfter;
  }

  /** The line of the failing health check that describes this integration. */
  String failingDetail() {
    return id
        + ": "
        + consecutiveFailures
        + " failed in a row since "
        + failingSince
        + "; last error: "
        + lastError;
  }

  /** How the integration is doing. Thread-safe. */
  ReceiverStatus status() {
    Integration i = integration;
    return new ReceiverStatus(
        i == null ? id.split("/", 2)[0] : i.receiver(),
        id,
        i == null ? "unknown" : i.kind().key(),
        i == null ? null : i.url().getHost(),
        lastSuccess,
        lastFailure,
        lastError,
        consecutiveFailures,
        queued,
        failing());
  }
}
