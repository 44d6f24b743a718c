package io.valentia.web.auth;

/**
 * Who made a request.
 *
 * @param name the token's or user's name
 * @param role {@code viewer}, {@code responder}, {@code operator} or {@code admin}
 * @param tokenId the id of the token it authenticated with ({@link AdminToken#ID} for the admin
 *     token), so that revoking the token ends the browser sessions made with it; null when it came
 *     from no stored token
 */
public record Principal(String name, String role, String tokenId) {
  /** A principal that is tied to no stored token. */
  public Principal(String name, String role) {
    this(name, role, null);
  }
}
