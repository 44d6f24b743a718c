package io.valentia.notifications.inbound;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signing, version {@code v0}: a request from Slack carries {@code
 * X-Slack-Request-Timestamp} (Unix seconds) and {@code X-Slack-Signature}, {@code v0=} and the hex
 * HMAC-SHA256 of {@code v0:TIMESTAMP:BODY} keyed with the app's signing secret. A request is
 * accepted when the signature matches (compared in constant time) and the timestamp is within
 * {@link #WINDOW} of now, so a captured request cannot be replayed later.
 */
public final class SlackSignature {
  /** The header with the request's Unix time. */
  public static final String TIMESTAMP_HEADER = "X-Slack-Request-Timestamp";

  /** The header with the signature. */
  public static final String SIGNATURE_HEADER = "X-Slack-Signature";

  /** How far a request's timestamp may be from now. */
  public static final Duration WINDOW = Duration.ofMinutes(5);

  private static final String VERSION = "v0";

  private SlackSignature() {}

  /**
   * Whether a request is Slack's.
   *
   * @param signingSecret the app's signing secret
   * @param timestampHeader the value of {@value #TIMESTAMP_HEADER}; null when missing
   * @param signatureHeader the value of {@value #SIGNATURE_HEADER}; null when missing
   * @param rawBody the body exactly as received
   * @param now the current time
   * @return true only when both headers are there, the timestamp is within {@link #WINDOW} of
   *     {@code now} and the signature matches
   */
  public static boolean verify(
      String signingSecret,
      String timestampHeader,
      String signatureHeader,
      byte[] rawBody,
      Instant now) {
    if (signingSecret == null
        || signingSecret.isEmpty()
        || timestampHeader == null
        || signatureHeader == null
        || rawBody == null) {
      return false;
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampHeader.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - timestamp) > WINDOW.toSeconds()) {
      return false;
    }
    String expected = sign(signingSecret, timestampHeader.trim(), rawBody);
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8),
        signatureHeader.trim().getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #verify(String, String, String, byte[], Instant)} for a body read as UTF-8 text. */
  public static boolean verify(
      String signingSecret,
      String timestampHeader,
      String signatureHeader,
      String rawBody,
      Instant now) {
    return rawBody != null
        && verify(
            signingSecret,
            timestampHeader,
            signatureHeader,
            rawBody.getBytes(StandardCharsets.UTF_8),
            now);
  }

  /** {@code v0=HEX}: the signature of {@code rawBody} sent at {@code timestamp}. */
  public static String sign(String signingSecret, String timestamp, byte[] rawBody) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((VERSION + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      mac.update(rawBody);
      return VERSION + "=" + HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
