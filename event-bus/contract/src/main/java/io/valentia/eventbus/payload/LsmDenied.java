package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * A Linux security module denied (or audited) an operation: AppArmor, SELinux or Landlock.
 *
 * @param lsm {@code apparmor}, {@code selinux} or {@code landlock}
 * @param operation the operation (AppArmor {@code operation}, SELinux {@code tclass} permission,
 *     Landlock blocker such as {@code fs.make_reg})
 * @param profile the AppArmor profile or Landlock domain; null otherwise
 * @param scontext the SELinux source context; null otherwise
 * @param tcontext the SELinux target context; null otherwise
 * @param tclass the SELinux target class; null otherwise
 * @param object the object acted on (a path, a socket family); null when not logged
 * @param requested the requested mask or permissions; null when not logged
 * @param denied the denied mask or permissions; null when not logged
 * @param outcome {@code denied}, {@code audit} or {@code allowed}
 * @param permissive whether SELinux was permissive (the operation went ahead); null otherwise
 * @param pid the process id; null when not logged
 * @param comm the command name; null when not logged
 * @param exe the executable path; null when not logged
 * @param container the container of the process; null when unknown
 * @param count how many identical denials this event stands for (at least 1)
 * @param firstSeen time of the first of them
 * @param lastSeen time of the last of them
 */
public record LsmDenied(
    String lsm,
    String operation,
    String profile,
    String scontext,
    String tcontext,
    String tclass,
    String object,
    String requested,
    String denied,
    String outcome,
    Boolean permissive,
    Long pid,
    String comm,
    String exe,
    Container container,
    int count,
    Instant firstSeen,
    Instant lastSeen)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.PROBE_LSM_DENIED;
  }
}
