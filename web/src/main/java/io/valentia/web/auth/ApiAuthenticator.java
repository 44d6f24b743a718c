package io.valentia.web.auth;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * Decides who an API token belongs to. Every API route except {@code /health} goes through it (with
 * {@code Authorization: Bearer TOKEN}, or a browser session started with a token); a request it
 * does not recognise gets 401. Implementations are thread-safe and do not block.
 */
@FunctionalInterface
public interface ApiAuthenticator {
  /** The principal of {@code token}, or empty when it is not a valid token. */
  Optional<Principal> authenticateToken(String token);

  /** The principal of a request's bearer token, or empty when it carries no valid one. */
  default Optional<Principal> authenticate(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return authenticateToken(header.substring(7).trim());
  }

  /** Tries {@code first}, then {@code second}. */
  static ApiAuthenticator either(ApiAuthenticator first, ApiAuthenticator second) {
    return token -> first.authenticateToken(token).or(() -> second.authenticateToken(token));
  }
}
