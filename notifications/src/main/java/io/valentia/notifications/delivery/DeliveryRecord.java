package io.valentia.notifications.delivery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/**
 * One step in the life of a notification at one integration, as the outbox appends it to {@code
 * valentia.notifications} (the data of a {@value #EVENT_TYPE} event keyed by the group key) and
 * shows it in {@link Outbox#recent(int)}.
 *
 * @param notificationId the notification's stable id
 * @param receiver the receiver's name
 * @param integration the integration, {@code RECEIVER/KIND/INDEX}
 * @param groupKey the notification's group key
 * @param outcome what happened
 * @param attempt how many requests were made so far (0 when recorded)
 * @param status the HTTP status of the answer; null when there was none (recorded, no connection)
 * @param error why the attempt failed or the notification was given up; null otherwise
 * @param at when it happened, by the outbox's clock
 * @param nextAttemptAt when the next attempt is due after a failed one; null otherwise
 */
public record DeliveryRecord(
    String notificationId,
    String receiver,
    String integration,
    String groupKey,
    Outcome outcome,
    int attempt,
    Integer status,
    String error,
    Instant at,
    Instant nextAttemptAt) {

  /** The CloudEvents type of the history records. */
  public static final String EVENT_TYPE = "io.valentia.notification.delivery.v1";

  /** The CloudEvents source of the history records. */
  public static final String SOURCE = "/notifications/outbox";

  /**
   * What happened to a notification at an integration; in JSON {@code recorded}, {@code
   * attempt-failed}, {@code delivered}, {@code given-up}.
   */
  public enum Outcome {
    /** Recorded in the outbox: it will be sent. */
    RECORDED,
    /** An attempt failed; another follows at {@code nextAttemptAt}. */
    ATTEMPT_FAILED,
    /** The receiver answered 2xx. */
    DELIVERED,
    /** Not delivered and no longer tried: a permanent refusal or {@code give_up_after} passed. */
    GIVEN_UP;

    /** The JSON form: {@code recorded}, {@code attempt-failed}, {@code delivered}, ... */
    @JsonValue
    public String value() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The outcome of a JSON value (either form). */
    @JsonCreator
    public static Outcome of(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }
}
