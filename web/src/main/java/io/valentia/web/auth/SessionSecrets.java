package io.valentia.web.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The secrets of a browser session: its random id (the cookie's value), the key it is stored under
 * (a hash of the id, so the state topic alone lets nobody log in), and its CSRF token (derived from
 * the id, so it is never stored). Thread-safe.
 */
final class SessionSecrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionSecrets() {}

  /** A new session id: 32 random bytes, base64url. */
  static String newId() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** The key session {@code id} is stored under: the hex SHA-256 of the id. */
  static String key(String id) {
    return HexFormat.of().formatHex(TokenStore.sha256(id));
  }

  /**
   * The CSRF token of session {@code id}: a hash of the id under its own label, so it can be told
   * to the page without being stored, and tells nothing of the id (which only the HttpOnly cookie
   * holds).
   */
  static String csrfOf(String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(TokenStore.sha256("valentia-csrf:" + id));
  }
}
