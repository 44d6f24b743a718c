package io.valentia.notifications.delivery;

import io.valentia.notifications.alert.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A notification recorded for one integration and not yet delivered or given up: the value of
 * {@code valentia.state.outbox} under {@link #key(String, String) NOTIFICATION_ID|INTEGRATION}.
 *
 * @param notification what to send
 * @param integration {@code RECEIVER/KIND/INDEX}
 * @param recordedAt when it was recorded; {@code give_up_after} counts from here
 * @param sequence its place in its integration's queue (deliveries go out in this order)
 * @param attempts requests made so far
 * @param nextAttemptAt when the next attempt is due; null for as soon as possible
 * @param lastError why the last attempt failed; null when none did
 * @param history the latest steps (at most {@link #HISTORY} of them), oldest first
 */
public record PendingDelivery(
    Notification notification,
    String integration,
    Instant recordedAt,
    long sequence,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    List<DeliveryRecord> history) {

  /** How many steps of history a pending delivery keeps (the first and the latest). */
  public static final int HISTORY = 20;

  public PendingDelivery {
    history = history == null ? List.of() : List.copyOf(history);
  }

  /** The state key of a notification at an integration. */
  public static String key(String notificationId, String integration) {
    return notificationId + "|" + integration;
  }

  /** Its state key. */
  public String key() {
    return key(notification.id(), integration);
  }

  /** This delivery after a failed attempt. */
  PendingDelivery failed(DeliveryRecord step) {
    return new PendingDelivery(
        notification,
        integration,
        recordedAt,
        sequence,
        step.attempt(),
        step.nextAttemptAt(),
        step.error(),
        append(step));
  }

  /** The history with {@code step} added, the oldest after the first dropped beyond the bound. */
  List<DeliveryRecord> append(DeliveryRecord step) {
    List<DeliveryRecord> h = new ArrayList<>(history);
    h.add(step);
    while (h.size() > HISTORY) {
      h.remove(1);
    }
    return h;
  }
}
