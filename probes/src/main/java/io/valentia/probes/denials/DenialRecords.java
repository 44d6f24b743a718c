package io.valentia.probes.denials;

import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.SyscallDenied;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Reads one denial from its audit records: a SECCOMP record into a {@link SyscallDenied}; an AVC
 * (SELinux or AppArmor) or Landlock record, with the {@link Process} its event's other records
 * name, into an {@link LsmDenied}. Each answers null when the record lacks what a denial needs.
 */
final class DenialRecords {
  private DenialRecords() {}

  static SyscallDenied seccomp(AuditRecord r) {
    String archValue = first(r.enriched().get("ARCH"), r.field("arch"));
    AuditArch arch = AuditArch.of(r.field("arch")).or(() -> AuditArch.of(archValue)).orElse(null);
    String archName;
    if (arch != null) {
      archName = arch.archName();
    } else if (r.field("arch") != null && AuditArch.parseHex(r.field("arch")) != null) {
      archName = r.field("arch").toLowerCase(Locale.ROOT);
    } else {
      return null;
    }
    String syscallValue = r.field("syscall");
    Integer nr = integer(syscallValue);
    if (nr == null && syscallValue != null && arch != null) {
      OptionalInt byName = SyscallTable.of(arch).number(syscallValue);
      nr = byName.isPresent() ? byName.getAsInt() : null;
    }
    if (nr == null || nr < 0) {
      return null;
    }
    String name = arch == null ? null : SyscallTable.of(arch).name(nr).orElse(null);
    if (name == null && r.enriched().get("SYSCALL") != null) {
      name = r.enriched().get("SYSCALL");
    }
    SeccompAction action = SeccompAction.decode(r.field("code")).orElse(null);
    Long pid = longValue(r.field("pid"));
    if (action == null || pid == null || pid < 1) {
      return null;
    }
    return new SyscallDenied(
        name,
        nr,
        archName,
        action.action(),
        action.errno(),
        pid,
        text(r.field("comm")),
        text(r.field("exe")),
        uid(r.field("uid"), r.interpreted()),
        null,
        null,
        1,
        r.time(),
        r.time());
  }

  static LsmDenied apparmor(AuditRecord r, Process process) {
    String outcome =
        switch (r.field("apparmor").toUpperCase(Locale.ROOT)) {
          case "DENIED" -> "denied";
          case "AUDIT" -> "audit";
          case "ALLOWED" -> "allowed";
          default -> null;
        };
    String operation = text(r.field("operation"));
    if (outcome == null || operation == null) {
      return null;
    }
    String object = text(r.field("name"));
    if (object == null && r.field("family") != null) {
      object = r.field("family") + (r.field("sock_type") == null ? "" : "/" + r.field("sock_type"));
    }
    if (object == null) {
      object = text(r.field("peer"));
    }
    Long pid = first(longValue(r.field("pid")), process.pid);
    return new LsmDenied(
        "apparmor",
        operation,
        text(r.field("profile")),
        null,
        null,
        null,
        object,
        text(r.field("requested_mask")),
        text(r.field("denied_mask")),
        outcome,
        null,
        pid,
        first(text(r.field("comm")), process.comm),
        process.exe,
        null,
        1,
        r.time(),
        r.time());
  }

  static boolean isApparmorStatus(AuditRecord r) {
    String apparmor = r.field("apparmor");
    return apparmor != null
        && !apparmor.isEmpty()
        && !apparmor.equalsIgnoreCase("DENIED")
        && !apparmor.equalsIgnoreCase("AUDIT")
        && !apparmor.equalsIgnoreCase("ALLOWED");
  }

  static LsmDenied selinux(AuditRecord r, Process process) {
    if (r.avcVerdict() == null || r.avcPermissions() == null || r.avcPermissions().isEmpty()) {
      return null;
    }
    String object = first(text(r.field("path")), text(r.field("name")));
    if (object == null && r.field("capability") != null) {
      object = "capability " + r.field("capability");
    }
    if (object == null && r.field("dest") != null) {
      object = "port " + r.field("dest");
    }
    if (object == null && r.field("src") != null) {
      object = "port " + r.field("src");
    }
    String permissive = r.field("permissive");
    return new LsmDenied(
        "selinux",
        r.avcPermissions(),
        null,
        text(r.field("scontext")),
        text(r.field("tcontext")),
        text(r.field("tclass")),
        object,
        r.avcPermissions(),
        r.avcVerdict().equals("denied") ? r.avcPermissions() : null,
        r.avcVerdict().equals("denied") ? "denied" : "allowed",
        permissive == null ? null : permissive.equals("1") || permissive.equals("yes"),
        first(longValue(r.field("pid")), process.pid),
        first(text(r.field("comm")), process.comm),
        first(text(r.field("exe")), process.exe),
        null,
        1,
        r.time(),
        r.time());
  }

  static LsmDenied landlock(AuditRecord r, Process process) {
    String blockers = text(r.field("blockers"));
    if (blockers == null) {
      return null;
    }
    String object = text(r.field("path"));
    if (object == null && r.field("daddr") != null) {
      object = r.field("daddr") + (r.field("dest") == null ? "" : ":" + r.field("dest"));
    }
    if (object == null && r.field("dest") != null) {
      object = "port " + r.field("dest");
    }
    if (object == null && r.field("opid") != null) {
      object = "pid " + r.field("opid");
    }
    return new LsmDenied(
        "landlock",
        blockers,
        text(r.field("domain")),
        null,
        null,
        null,
        object,
        null,
        blockers,
        "denied",
        null,
        process.pid,
        process.comm,
        process.exe,
        null,
        1,
        r.time(),
        r.time());
  }

  /** The process an event's SYSCALL (or Landlock domain) record names. */
  record Process(Long pid, String comm, String exe) {
    static Process of(AuditRecord syscall, AuditRecord domain) {
      Long pid = null;
      String comm = null;
      String exe = null;
      for (AuditRecord r : new AuditRecord[] {syscall, domain}) {
        if (r != null) {
          pid = first(pid, longValue(r.field("pid")));
          comm = first(comm, text(r.field("comm")));
          exe = first(exe, text(r.field("exe")));
        }
      }
      return new Process(pid, comm, exe);
    }
  }

  private static <T> T first(T a, T b) {
    return a != null ? a : b;
  }

  /** A logged string, or null for absent, empty and the kernel's {@code (null)}. */
  private static String text(String value) {
    if (value == null || value.isEmpty() || value.equals("(null)") || value.equals("?")) {
      return null;
    }
    return value;
  }

  private static Integer integer(String value) {
    Long v = longValue(value);
    return v == null || v > Integer.MAX_VALUE || v < Integer.MIN_VALUE ? null : v.intValue();
  }

  private static Long longValue(String value) {
    if (value == null || value.isEmpty() || value.length() > 18) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      if (!Character.isDigit(value.charAt(i))) {
        return null;
      }
    }
    return Long.parseLong(value);
  }

  /** A uid: numeric, or {@code root} in interpreted output; null when unset or not a number. */
  private static Long uid(String value, boolean interpreted) {
    if (interpreted && "root".equals(value)) {
      return 0L;
    }
    Long uid = longValue(value);
    return uid == null || uid == 4294967295L ? null : uid;
  }
}
