package io.valentia.notifications.delivery;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.receiver.Integration;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The test notifications of {@link Outbox#test(String)} and {@link Outbox#testEach(String)}: sent
 * at once, outside the queues and without retries, each result appended to the history.
 */
final class ReceiverCheck {
  private final HttpSender sender;
  private final DeliveryHistory history;
  private final Scheduler scheduler;
  private final URI externalUrl;

  ReceiverCheck(HttpSender sender, DeliveryHistory history, Scheduler scheduler, URI externalUrl) {
    this.sender = sender;
    this.history = history;
    this.scheduler = scheduler;
    this.externalUrl = externalUrl;
  }

  /** One firing alert {@code type=io.valentia.notification.test}, {@code severity=info}. */
  static Notification notification(String receiver, Instant now) {
    Alert alert =
        new Alert(
            Map.of("type", "io.valentia.notification.test", "severity", "info"),
            Map.of(
                "summary",
                "Test notification from Valentia",
                "description",
                "Sent on request to check the receiver " + receiver + "."),
            now,
            null,
            null);
    return new Notification(
        "test-" + UUID.randomUUID(),
        receiver,
        "{}:{test=\"" + receiver + "\"}",
        Map.of(),
        List.of(alert),
        now);
  }

  /**
   * Sends {@code n} to {@code i} once.
   *
   * @return the {@code delivered} or {@code attempt-failed} step, already in the history; never
   *     fails
   */
  Future<DeliveryRecord> send(Integration i, Notification n, Instant now) {
    Integration.Request request = i.request(n, externalUrl, now).orElseThrow();
    return sender
        .post(i, request)
        .transform(
            ar -> {
              Integer status = ar.succeeded() ? ar.result().statusCode() : null;
              String error = Verdict.testError(i, ar);
              DeliveryRecord step =
                  DeliveryHistory.step(
                      n,
                      i.id(),
                      error == null
                          ? DeliveryRecord.Outcome.DELIVERED
                          : DeliveryRecord.Outcome.ATTEMPT_FAILED,
                      1,
                      status,
                      error,
                      scheduler.now(),
                      null);
              history.append(step);
              return Future.succeededFuture(step);
            });
  }

  /**
   * The results of one test of {@code receiverName} summed up in one record: {@code delivered}
   * naming every integration, or {@code attempt-failed} naming those that failed and why.
   */
  static Future<DeliveryRecord> summary(String receiverName, List<DeliveryRecord> results) {
    if (results.isEmpty()) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "receiver " + receiverName + " has no integration to send to"));
    }
    List<DeliveryRecord> failed =
        results.stream().filter(r -> r.outcome() != DeliveryRecord.Outcome.DELIVERED).toList();
    DeliveryRecord last = results.get(results.size() - 1);
    List<DeliveryRecord> named = failed.isEmpty() ? results : failed;
    return Future.succeededFuture(
        new DeliveryRecord(
            last.notificationId(),
            last.receiver(),
            String.join(", ", named.stream().map(DeliveryRecord::integration).toList()),
            last.groupKey(),
            failed.isEmpty()
                ? DeliveryRecord.Outcome.DELIVERED
                : DeliveryRecord.Outcome.ATTEMPT_FAILED,
            1,
            failed.isEmpty() ? last.status() : failed.get(0).status(),
            failed.isEmpty()
                ? null
                : String.join(
                    "; ", failed.stream().map(r -> r.integration() + ": " + r.error()).toList()),
            last.at(),
            null));
  }
}
