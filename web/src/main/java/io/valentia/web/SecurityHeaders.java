package io.valentia.web;

import io.vertx.ext.web.RoutingContext;

/**
 * The security headers of every response: a strict Content-Security-Policy (no inline script or
 * style), no sniffing, no framing, no referrer, no caching, and no camera, microphone or location.
 */
final class SecurityHeaders {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'self'";

  private SecurityHeaders() {}

  /** Puts the headers on the response and passes the request on. */
  static void handle(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    ctx.next();
  }
}
