package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * One step of a notification's delivery to one integration of a receiver, appended to {@code
 * valentia.notifications} (keyed by the group key) by the notifications role's outbox: recorded
 * before it is sent, each failed attempt, delivered after a 2xx answer, or given up.
 *
 * @param notificationId the notification's stable id (a receiver deduplicates on it)
 * @param receiver the receiver's name in the configuration
 * @param integration {@code RECEIVER/KIND/INDEX}, e.g. {@code team/slack/0}
 * @param groupKey the Alertmanager group key of the notification's group
 * @param outcome {@code recorded}, {@code attempt-failed}, {@code delivered} or {@code given-up}
 * @param attempt how many attempts were made so far
 * @param status the receiver's HTTP status of the last attempt; null when none answered
 * @param error why the last attempt failed; null when it did not
 * @param at when this step happened
 * @param nextAttemptAt when the next attempt is due; null when none is
 */
public record NotificationDelivery(
    String notificationId,
    String receiver,
    String integration,
    String groupKey,
    String outcome,
    int attempt,
    Integer status,
    String error,
    Instant at,
    Instant nextAttemptAt)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.NOTIFICATION_DELIVERY;
  }
}
