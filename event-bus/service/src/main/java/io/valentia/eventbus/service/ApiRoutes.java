package io.valentia.eventbus.service;

import io.vertx.ext.web.Router;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The API routes services of one process contribute. Each mounts a sub-router at a path (e.g.
 * {@code /leases}); the web service serves it under {@code /api/v1} behind authentication, so a
 * service's handlers can rely on an authenticated principal. Thread-safe.
 */
public final class ApiRoutes {
  /** The routing-context key holding the authenticated principal's name (a String). */
  public static final String PRINCIPAL_NAME = "valentia.principal.name";

  /** The routing-context key holding the authenticated principal's role (a String). */
  public static final String PRINCIPAL_ROLE = "valentia.principal.role";

  private final Map<String, Router> routers = new LinkedHashMap<>();
  private final Map<String, Router> signed = new LinkedHashMap<>();

  /**
   * Mounts {@code router} at {@code path} (starting with {@code /}).
   *
   * @throws IllegalArgumentException when another service mounted that path
   */
  public synchronized void mount(String path, Router router) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("an API path starts with /: " + path);
    }
    if (signed.containsKey(path) || routers.putIfAbsent(path, router) != null) {
      throw new IllegalArgumentException("API path " + path + " is already mounted");
    }
  }

  /**
   * Mounts {@code router} at {@code path}, served without an API token because every request to it
   * carries a signature the router checks itself (Slack's signed slash commands). The router must
   * refuse anything it cannot verify.
   *
   * @throws IllegalArgumentException when another service mounted that path
   */
  public synchronized void mountSigned(String path, Router router) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("an API path starts with /: " + path);
    }
    if (routers.containsKey(path) || signed.putIfAbsent(path, router) != null) {
      throw new IllegalArgumentException("API path " + path + " is already mounted");
    }
  }

  /** Every router mounted with {@link #mountSigned}, by path. */
  public synchronized Map<String, Router> signed() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(signed));
  }

  /** Every mounted router by path, in mounting order. */
  public synchronized Map<String, Router> mounted() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(routers));
  }
}
