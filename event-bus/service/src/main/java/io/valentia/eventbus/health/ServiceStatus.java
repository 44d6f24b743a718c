package io.valentia.eventbus.health;

/**
 * One service (a role's verticles) of this process.
 *
 * @param state {@code starting}, {@code running}, {@code failed} or {@code stopped}
 * @param detail what went wrong, or a short description; nullable
 */
public record ServiceStatus(String state, String detail) {
  public static ServiceStatus running(String detail) {
    return new ServiceStatus("running", detail);
  }
}
