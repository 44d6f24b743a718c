package io.valentia.web.auth;

/**
 * Who made a request.
 *
 * @param name the token's or user's name
 * @param role {@code viewer}, {@code responder}, {@code operator} or {@code admin}
 */
public record Principal(String name, String role) {}
