package io.valentia.web.auth;

import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * Decides who a request to {@code /api/v1} comes from. Every API route except {@code /health} goes
 * through it; a request it does not recognise gets 401.
 */
@FunctionalInterface
public interface ApiAuthenticator {
  /** The principal of {@code request}, or empty when it carries no valid credentials. */
  Optional<Principal> authenticate(HttpServerRequest request);
}
