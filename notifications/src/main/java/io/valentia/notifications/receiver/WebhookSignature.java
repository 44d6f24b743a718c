package io.valentia.notifications.receiver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook request ({@code hmac_secret}): {@code sha256=} and the hex HMAC-SHA256
 * of {@code TIMESTAMP.BODY}, so a receiver can check that the request comes from Valentia and is
 * recent.
 */
public final class WebhookSignature {
  private WebhookSignature() {}

  /** {@code sha256=HEX} for {@code body} sent at {@code timestamp} (Unix seconds, decimal). */
  public static String sign(String secret, String timestamp, byte[] body) {
    Mac mac = hmac(secret);
    mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) '.');
    mac.update(body);
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal());
  }

  /** Whether {@code signature} is the signature of {@code body} at {@code timestamp}. */
  public static boolean verify(String secret, String timestamp, byte[] body, String signature) {
    if (signature == null || timestamp == null) {
      return false;
    }
    return MessageDigest.isEqual(
        sign(secret, timestamp, body).getBytes(StandardCharsets.UTF_8),
        signature.getBytes(StandardCharsets.UTF_8));
  }

  static Mac hmac(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
