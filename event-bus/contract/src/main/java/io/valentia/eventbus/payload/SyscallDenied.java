package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * A seccomp filter acted on a syscall (audit record type 1326). A burst of identical denials is one
 * event with a {@code count}.
 *
 * @param syscall the syscall name in the table of {@code arch}; null when the number is unknown
 * @param syscallNr the syscall number
 * @param arch {@code x86_64}, {@code aarch64}, {@code i386} or the raw audit arch in hex
 * @param action the seccomp action: KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG
 *     or ALLOW
 * @param errno the errno of an ERRNO action, else null
 * @param pid the process id
 * @param comm the command name; null when not logged
 * @param exe the executable path; null when not logged
 * @param uid the user id; null when not logged
 * @param container the container of the process; null when unknown
 * @param seccompMode the process's seccomp mode from {@code /proc/PID/status} ({@code disabled},
 *     {@code strict} or {@code filter}) when it was still alive to be asked; null otherwise
 * @param count how many identical denials this event stands for (at least 1)
 * @param firstSeen time of the first of them
 * @param lastSeen time of the last of them
 */
public record SyscallDenied(
    String syscall,
    int syscallNr,
    String arch,
    String action,
    Integer errno,
    long pid,
    String comm,
    String exe,
    Long uid,
    Container container,
    String seccompMode,
    int count,
    Instant firstSeen,
    Instant lastSeen)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.PROBE_SYSCALL_DENIED;
  }
}
