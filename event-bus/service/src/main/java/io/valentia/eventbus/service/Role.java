package io.valentia.eventbus.service;

import java.util.Locale;
import java.util.Optional;

/**
 * What a principal may do; each role may do everything the roles before it may. Checked by the web
 * gateway for every request and again where the action happens (a service's own routes, the chaos
 * injector's control records).
 */
public enum Role {
  /** Read everything. */
  VIEWER,
  /** Also edit postmortems, acknowledge incidents, mute health checks. */
  RESPONDER,
  /** Also run and halt chaos, manage schedules and leases. */
  OPERATOR,
  /** Also manage tokens and notification routes. */
  ADMIN;

  /** {@code viewer}, {@code responder}, {@code operator} or {@code admin}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this role may do what {@code required} may. */
  public boolean atLeast(Role required) {
    return compareTo(required) >= 0;
  }

  /** The roles' names in rising order: {@code viewer, responder, operator, admin}. */
  public static java.util.List<String> names() {
    return java.util.Arrays.stream(values()).map(Role::value).toList();
  }

  /** Parses a role name; empty for anything else. */
  public static Optional<Role> parse(String value) {
    for (Role role : values()) {
      if (role.value().equals(value)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
