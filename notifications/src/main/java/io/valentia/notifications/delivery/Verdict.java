package io.valentia.notifications.delivery;

import io.valentia.notifications.receiver.Integration;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one answer of a receiver means for a queued delivery, and the error text it leaves: a 2xx is
 * delivered unless the integration reads a refusal in it; {@code 408}, {@code 429}, other {@code
 * 5xx} and network errors are retried ({@code 429} and {@code 503} as late as {@code Retry-After}
 * says); any other answer is a refusal that retrying will not change. Error texts leave out the
 * URL's path and query (where webhook secrets live) and keep at most {@value #ERROR_BODY}
 * characters of an answer.
 *
 * @param status the HTTP status; null for a network error
 * @param error null when delivered
 * @param retryAfter the wait the receiver asked for; null to back off as configured
 */
record Verdict(Outcome outcome, Integer status, String error, Duration retryAfter) {
  private static final int ERROR_BODY = 300;

  /** What to do with the delivery. */
  enum Outcome {
    DELIVERED,
    RETRY,
    REFUSED
  }

  /** The verdict on the answer {@code ar} of {@code integration} to a queued delivery. */
  static Verdict of(Integration integration, AsyncResult<HttpResponse<Buffer>> ar, Instant now) {
    if (ar.failed()) {
      return new Verdict(
          Outcome.RETRY, null, redact(integration, String.valueOf(ar.cause())), null);
    }
    HttpResponse<Buffer> response = ar.result();
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.bodyAsString();
    if (status / 100 == 2) {
      Optional<String> refusal = integration.refusal(response.getHeader("Content-Type"), body);
      return refusal
          .map(r -> new Verdict(Outcome.REFUSED, status, excerpt(r), null))
          .orElseGet(() -> new Verdict(Outcome.DELIVERED, status, null, null));
    }
    if (status == 408 || status == 429 || status / 100 == 5) {
      Duration retryAfter = RetryAfter.parse(response.getHeader("Retry-After"), now);
      return new Verdict(Outcome.RETRY, status, "HTTP " + status + answer(body), retryAfter);
    }
    return new Verdict(
        Outcome.REFUSED,
        status,
        "refused with HTTP " + status + answer(body) + ", not retried",
        null);
  }

  /**
   * The error of the answer {@code ar} of {@code integration} to a test notification, null when it
   * was delivered; a test is never retried, so the error does not say whether it would be.
   */
  static String testError(Integration integration, AsyncResult<HttpResponse<Buffer>> ar) {
    if (ar.failed()) {
      return redact(integration, String.valueOf(ar.cause()));
    }
    int status = ar.result().statusCode();
    if (status / 100 != 2) {
      return "HTTP " + status + answer(ar.result().bodyAsString());
    }
    return integration
        .refusal(ar.result().getHeader("Content-Type"), ar.result().bodyAsString())
        .orElse(null);
  }

  private static String answer(String body) {
    String b = body == null ? "" : body.strip();
    return b.isEmpty() ? "" : ": " + excerpt(b);
  }

  private static String excerpt(String text) {
    return text.length() <= ERROR_BODY ? text : text.substring(0, ERROR_BODY) + "…";
  }

  /** Leaves the URL's path and query (where webhook secrets live) out of an error. */
  private static String redact(Integration integration, String error) {
    String redacted = error;
    String query = integration.url().getRawQuery();
    if (query != null && !query.isEmpty()) {
      redacted = redacted.replace(query, "…");
    }
    String path = integration.url().getRawPath();
    return path == null || path.length() <= 1 ? redacted : redacted.replace(path, "/…");
  }
}
