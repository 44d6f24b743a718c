package io.valentia.eventbus.service;

/**
 * Addresses on the process's own Vert.x event bus (local only, never clustered) where one role
 * answers another role of the same process without going through HTTP. A request nobody answers
 * fails with {@code NO_HANDLERS}: the role is not running in this process.
 */
public final class LocalRequests {
  /**
   * Halt all chaos: a JSON request {@code {"by": WHO, "reason": WHY}}, answered by the chaos role
   * exactly as {@code POST /api/v1/halt} (applied here, then sent to every injector), with {@code
   * {"revertedFaults": N, "command": ID}}.
   */
  public static final String HALT = "valentia.chaos.halt";

  private LocalRequests() {}
}
