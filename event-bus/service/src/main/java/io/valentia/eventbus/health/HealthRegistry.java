package io.valentia.eventbus.health;

/**
 * Where the services of a process report their state and raise or clear named health checks; its
 * {@link #report()} is what {@code GET /health} serves. Thread-safe.
 */
public interface HealthRegistry extends HealthSource {

  /** Sets the state of service {@code name}. */
  void service(String name, ServiceStatus status);

  /** Raises (or replaces) check {@code name}. */
  void raise(String name, HealthCheck check);

  /** Clears check {@code name}; nothing happens when it is not raised. */
  void clear(String name);
}
