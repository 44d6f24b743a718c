package io.valentia.eventbus.broker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for {@link HangingTransactions} on the embedded broker while it runs: every 5 s in the
 * first two minutes after a start (when a crash leaves them), every 30 s after that.
 */
final class TransactionRepair implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionRepair.class);
  private static final Duration EARLY = Duration.ofSeconds(5);
  private static final Duration LATER = Duration.ofSeconds(30);
  private static final Duration EARLY_PERIOD = Duration.ofMinutes(2);

  private final Admin admin;
  private final HangingTransactions transactions;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "valentia-transaction-repair");
            thread.setDaemon(true);
            return thread;
          });
  private final long started = System.nanoTime();
  private String lastFailure;

  /**
   * @param adminProperties a client of the broker with the rights to describe and abort
   *     transactions
   * @param longestTransaction the broker's {@code transaction.max.timeout.ms}
   */
  TransactionRepair(Map<String, Object> adminProperties, Duration longestTransaction) {
    this.admin = Admin.create(adminProperties);
    // a coordinator aborts an expired transaction within 10 s of its timeout; a margin on top
    this.transactions =
        new HangingTransactions(admin, longestTransaction.plus(Duration.ofSeconds(30)));
    scheduler.schedule(this::scan, 1, TimeUnit.SECONDS);
  }

  private void scan() {
    try {
      transactions.abortHanging();
      lastFailure = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      String failure = (e.getCause() != null ? e.getCause() : e).toString();
      if (!failure.equals(lastFailure)) {
        // once per kind of failure: a broker that is stopping or busy answers again later
        LOG.warn("could not look for hanging transactions (trying again): {}", failure);
      }
      lastFailure = failure;
    }
    Duration next = System.nanoTime() - started < EARLY_PERIOD.toNanos() ? EARLY : LATER;
    try {
      scheduler.schedule(this::scan, next.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closed meanwhile
    }
  }

  /** Stops looking (before the broker stops). */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
