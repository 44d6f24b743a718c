package io.valentia.probes.denials;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded seccomp action (the {@code code=} field of a SECCOMP record).
 *
 * @param action {@code KILL_PROCESS}, {@code KILL_THREAD}, {@code TRAP}, {@code ERRNO}, {@code
 *     USER_NOTIF}, {@code TRACE}, {@code LOG} or {@code ALLOW}; {@code KILL} for a kill whose kind
 *     the record does not tell ({@code ausearch -i} prints both kills as {@code kill})
 * @param errno the errno an ERRNO action returns; null for any other action
 */
public record SeccompAction(String action, Integer errno) {
  private static final long ACTION_FULL = 0xffff0000L;
  private static final long DATA = 0x0000ffffL;

  private static final Map<Long, String> BY_CODE =
      Map.of(
          0x80000000L, "KILL_PROCESS",
          0x00000000L, "KILL_THREAD",
          0x00030000L, "TRAP",
          0x00050000L, "ERRNO",
          0x7fc00000L, "USER_NOTIF",
          0x7ff00000L, "TRACE",
          0x7ffc0000L, "LOG",
          0x7fff0000L, "ALLOW");

  /** Errno names {@code ausearch -i} may print for an ERRNO action, with their numbers. */
  private static final Map<String, Integer> ERRNOS =
      Map.ofEntries(
          Map.entry("EPERM", 1),
          Map.entry("ENOENT", 2),
          Map.entry("ESRCH", 3),
          Map.entry("EINTR", 4),
          Map.entry("EIO", 5),
          Map.entry("E2BIG", 7),
          Map.entry("EBADF", 9),
          Map.entry("EAGAIN", 11),
          Map.entry("ENOMEM", 12),
          Map.entry("EACCES", 13),
          Map.entry("EFAULT", 14),
          Map.entry("EBUSY", 16),
          Map.entry("EEXIST", 17),
          Map.entry("ENODEV", 19),
          Map.entry("EINVAL", 22),
          Map.entry("ENOSPC", 28),
          Map.entry("EROFS", 30),
          Map.entry("ENOSYS", 38),
          Map.entry("EOPNOTSUPP", 95),
          Map.entry("EAFNOSUPPORT", 97));

  /** Whether the process or thread was killed. */
  public boolean kills() {
    return action.startsWith("KILL");
  }

  /**
   * Decodes a raw hex code ({@code 0x80000000}, {@code 0x50001}) or an interpreted one as {@code
   * ausearch -i} prints it ({@code kill}, {@code kill-process}, {@code errno(EPERM)}, {@code
   * errno}); empty when it is neither.
   */
  public static Optional<SeccompAction> decode(String code) {
    if (code == null || code.isEmpty()) {
      return Optional.empty();
    }
    String c = code.trim();
    if (c.startsWith("0x") || c.startsWith("0X")) {
      Long value = AuditArch.parseHex(c.substring(2).toLowerCase(Locale.ROOT));
      if (value == null) {
        return Optional.empty();
      }
      String action = BY_CODE.get(value & ACTION_FULL);
      if (action == null) {
        return Optional.empty();
      }
      return Optional.of(
          new SeccompAction(action, action.equals("ERRNO") ? (int) (value & DATA) : null));
    }
    return decodeInterpreted(c.toLowerCase(Locale.ROOT).replace('_', '-'));
  }

  private static Optional<SeccompAction> decodeInterpreted(String c) {
    String base = c;
    String arg = null;
    int paren = c.indexOf('(');
    if (paren > 0 && c.endsWith(")")) {
      base = c.substring(0, paren);
      arg = c.substring(paren + 1, c.length() - 1);
    }
    String action =
        switch (base) {
          // ausearch -i masks the code with SECCOMP_RET_ACTION, which drops KILL_PROCESS's high
          // bit: "kill" may be either kill, and only the raw record tells which
          case "kill" -> "KILL";
          case "kill-thread" -> "KILL_THREAD";
          case "kill-process" -> "KILL_PROCESS";
          case "trap" -> "TRAP";
          case "errno" -> "ERRNO";
          case "user-notif" -> "USER_NOTIF";
          case "trace" -> "TRACE";
          case "log" -> "LOG";
          case "allow" -> "ALLOW";
          default -> null;
        };
    if (action == null) {
      return Optional.empty();
    }
    Integer errno = null;
    if (action.equals("ERRNO")) {
      errno = arg == null ? null : errnoOf(arg);
    }
    return Optional.of(new SeccompAction(action, errno));
  }

  private static Integer errnoOf(String arg) {
    String a = arg.trim().toUpperCase(Locale.ROOT);
    if (a.chars().allMatch(Character::isDigit) && !a.isEmpty() && a.length() < 6) {
      return Integer.parseInt(a);
    }
    return ERRNOS.get(a);
  }
}
