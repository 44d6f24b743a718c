package io.valentia.notifications.delivery;

import io.valentia.notifications.delivery.DeliveryRecord.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link Outbox} does once an attempt is over: a delivered notification leaves its queue
 * and the state table; a failed attempt is kept with its next attempt after the receiver's {@code
 * Retry-After} or an exponential back-off with jitter ({@link DeliverySettings#backoff}); a
 * notification given up leaves its queue and, once dead-lettered, the state table. Each outcome is
 * appended to the history and counted in the integration's status and {@value
 * Outbox#FAILING_CHECK}. Used on the outbox's context.
 */
final class DeliveryOutcomes {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final OutboxTable table;
  private final DeliveryHistory history;
  private final OutboxDeadLetters deadLetters;
  private final FailingCheck failingCheck;
  private final List<Lane> lanes;
  private final DeliverySettings settings;
  private final Scheduler scheduler;
  private final Random random = new Random();

  /**
   * @param lanes every queue, for {@code failingCheck}; read when an outcome is recorded
   */
  DeliveryOutcomes(
      OutboxTable table,
      DeliveryHistory history,
      OutboxDeadLetters deadLetters,
      FailingCheck failingCheck,
      List<Lane> lanes,
      DeliverySettings settings,
      Scheduler scheduler) {
    this.table = table;
    this.history = history;
    this.deadLetters = deadLetters;
    this.failingCheck = failingCheck;
    this.lanes = lanes;
    this.settings = settings;
    this.scheduler = scheduler;
  }

  void delivered(Lane lane, PendingDelivery p, int attempt, int status, Instant now) {
    DeliveryRecord step =
        DeliveryHistory.step(p, Outcome.DELIVERED, attempt, status, null, now, null);
    lane.remove(p);
    table.remove(p);
    history.append(step);
    lane.succeeded(now);
    failingCheck.update(lanes);
  }

  void failed(
      Lane lane,
      PendingDelivery p,
      int attempt,
      Integer status,
      String error,
      Duration retryAfter,
      Instant now) {
    Duration wait =
        retryAfter != null ? retryAfter : settings.backoff(attempt, random.nextDouble());
    DeliveryRecord step =
        DeliveryHistory.step(
            p, Outcome.ATTEMPT_FAILED, attempt, status, error, now, now.plus(wait));
    PendingDelivery updated = p.failed(step);
    lane.replace(p, updated);
    table.update(updated);
    history.append(step);
    LOG.debug(
        "notification {} to {}: {}; next attempt in {}",
        p.notification().id(),
        lane.id,
        error,
        wait);
    lane.failed(now, error, false);
    failingCheck.update(lanes);
  }

  void giveUp(Lane lane, PendingDelivery p, int attempt, Integer status, String reason) {
    Instant now = scheduler.now();
    DeliveryRecord step =
        DeliveryHistory.step(p, Outcome.GIVEN_UP, attempt, status, reason, now, null);
    lane.remove(p);
    LOG.warn("notification {} to {} given up: {}", p.notification().id(), lane.id, reason);
    deadLetters
        .write(p, step)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                table.remove(p);
              } else {
                LOG.error(
                    "could not dead-letter notification {} for {}; it stays in the outbox: {}",
                    p.notification().id(),
                    lane.id,
                    ar.cause().toString());
              }
            });
    history.append(step);
    lane.failed(now, reason, true);
    failingCheck.update(lanes);
  }
}
