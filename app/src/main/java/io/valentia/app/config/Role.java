package io.valentia.app.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A service a Valentia process can run ({@code --role}). Every process also runs the event bus core
 * (topic provisioning and the dead-letter gate). Roles arrive with their modules; this build has
 * the ones listed here.
 */
public enum Role {
  /** The HTTP server: {@code /health}, the API, the browser UI. */
  WEB;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String value) {
    return Arrays.stream(values()).filter(r -> r.value().equals(value)).findFirst();
  }

  /** The roles of this build, for messages: {@code web, ...}. */
  public static String available() {
    return Arrays.stream(values()).map(Role::value).collect(Collectors.joining(", "));
  }
}
