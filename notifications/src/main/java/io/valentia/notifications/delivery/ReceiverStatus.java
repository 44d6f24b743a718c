package io.valentia.notifications.delivery;

import java.time.Instant;

/**
 * How one integration of a receiver is doing.
 *
 * @param receiver the receiver's name
 * @param integration {@code RECEIVER/KIND/INDEX}
 * @param kind {@code slack}, {@code mattermost}, {@code discord} or {@code webhook}; {@code
 *     unknown} for deliveries recorded for an integration no longer configured
 * @param host the host it sends to (never the whole URL: webhook paths hold secrets); null when
 *     unknown
 * @param lastSuccess when it last answered 2xx; null when never since start
 * @param lastFailure when an attempt last failed; null when none did since start
 * @param lastError why it failed; null when none did
 * @param consecutiveFailures failed attempts since the last success
 * @param queued notifications waiting for it
 * @param failing whether it counts as failing ({@code NOTIFICATION_FAILING})
 */
public record ReceiverStatus(
    String receiver,
    String integration,
    String kind,
    String host,
    Instant lastSuccess,
    Instant lastFailure,
    String lastError,
    int consecutiveFailures,
    int queued,
    boolean failing) {}
