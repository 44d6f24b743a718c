package io.valentia.probes.denials;

import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.SyscallDenied;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns audit records into denials ({@link SyscallDenied}, {@link LsmDenied}, each with count 1 and
 * no container yet). A SECCOMP record is a denial on its own. An AVC (SELinux or AppArmor) or
 * Landlock record waits for the other records of its audit id (the SYSCALL record names the process
 * and executable) until the id's EOE record, until {@link #expire} finds it older than the grouping
 * time, or until {@link #drain}.
 *
 * <p>One event read twice (the kernel log's raw record and audit.log's ENRICHED copy of the same
 * audit id, or two sources that overlap) is one denial: a record whose audit id was already made
 * into a denial, or that repeats a record waiting in its group, is counted in {@link #duplicates}
 * and dropped. Records without a serial (the journal's form) are never taken for copies. Not
 * thread-safe: one reader owns it.
 */
public final class DenialAssembler {
  /** How many events may wait for their remaining records at once. */
  private static final int MAX_PENDING = 256;

  private final Duration grouping;

  /** How many completed audit ids are remembered to recognise copies. */
  private static final int MAX_RECENT = 4096;

  private final Map<String, Group> pending = new LinkedHashMap<>();
  private final Map<String, Boolean> recent =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > MAX_RECENT;
        }
      };
  private long unreadable;
  private long duplicates;

  /**
   * @param grouping how long records of one audit id are waited for after the first arrived
   */
  public DenialAssembler(Duration grouping) {
    this.grouping = grouping;
  }

  /** Records that were of a known type but lacked what a denial needs, so far. */
  public long unreadable() {
    return unreadable;
  }

  /** Records dropped as copies of a record already read (the same audit id). */
  public long duplicates() {
    return duplicates;
  }

  /** Adds a record read at {@code now}; returns the denials it completes. */
  public List<EventPayload> add(AuditRecord record, Instant now) {
    List<EventPayload> done = new ArrayList<>();
    if (record.serial() > 0 && recent.containsKey(record.auditId()) && isDenialPart(record)) {
      if (!record.type().equals("SYSCALL") && !record.type().equals("LANDLOCK_DOMAIN")) {
        duplicates++; // a context record after its event completed is no copy, just late
      }
      return done;
    }
    switch (record.type()) {
      case "SECCOMP" -> {
        SyscallDenied denial = seccomp(record);
        if (denial == null) {
          unreadable++;
        } else {
          remember(record);
          done.add(denial);
        }
      }
      case "AVC", "LANDLOCK_ACCESS", "LANDLOCK_DOMAIN", "SYSCALL" -> {
        Group group = pending.get(record.auditId());
        if (group == null) {
          if (record.type().equals("SYSCALL") || record.type().equals("LANDLOCK_DOMAIN")) {
            return done; // context of an event that has no denial waiting: nothing to say
          }
          group = new Group(now);
          pending.put(record.auditId(), group);
        }
        if (record.serial() > 0 && group.repeats(record)) {
          duplicates++;
          return done;
        }
        group.records.add(record);
        if (pending.size() > MAX_PENDING) {
          Iterator<Map.Entry<String, Group>> oldest = pending.entrySet().iterator();
          done.addAll(complete(oldest.next().getValue()));
          oldest.remove();
        }
      }
      case "EOE" -> {
        Group group = pending.remove(record.auditId());
        if (group != null) {
          done.addAll(complete(group));
        }
      }
      default -> {
        // PATH, CWD, PROCTITLE and every other type carry nothing a denial needs
      }
    }
    return done;
  }

  /** Completes the events whose first record arrived more than the grouping time before now. */
  public List<EventPayload> expire(Instant now) {
    List<EventPayload> done = new ArrayList<>();
    Iterator<Group> groups = pending.values().iterator();
    while (groups.hasNext()) {
      Group group = groups.next();
      if (!group.arrived.plus(grouping).isAfter(now)) {
        done.addAll(complete(group));
        groups.remove();
      }
    }
    return done;
  }

  /** Completes every waiting event (at the end of the input). */
  public List<EventPayload> drain() {
    List<EventPayload> done = new ArrayList<>();
    pending.values().forEach(group -> done.addAll(complete(group)));
    pending.clear();
    return done;
  }

  private static boolean isDenialPart(AuditRecord record) {
    return switch (record.type()) {
      case "SECCOMP", "AVC", "LANDLOCK_ACCESS", "LANDLOCK_DOMAIN", "SYSCALL" -> true;
      default -> false;
    };
  }

  private void remember(AuditRecord record) {
    if (record.serial() > 0) {
      recent.put(record.auditId(), Boolean.TRUE);
    }
  }

  private List<EventPayload> complete(Group group) {
    group.records.forEach(this::remember);
    AuditRecord syscall = null;
    AuditRecord domain = null;
    for (AuditRecord r : group.records) {
      if (r.type().equals("SYSCALL") && syscall == null) {
        syscall = r;
      } else if (r.type().equals("LANDLOCK_DOMAIN") && r.field("pid") != null && domain == null) {
        domain = r;
      }
    }
    Process process = Process.of(syscall, domain);
    List<EventPayload> denials = new ArrayList<>();
    for (AuditRecord r : group.records) {
      LsmDenied denial =
          switch (r.type()) {
            case "AVC" -> r.field("apparmor") != null ? apparmor(r, process) : selinux(r, process);
            case "LANDLOCK_ACCESS" -> landlock(r, process);
            default -> null;
          };
      if (denial != null) {
        denials.add(denial);
      } else if (r.type().equals("AVC") || r.type().equals("LANDLOCK_ACCESS")) {
        if (!isApparmorStatus(r)) {
          unreadable++;
        }
      }
    }
    return denials;
  }

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

  private static LsmDenied apparmor(AuditRecord r, Process process) {
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

  private static boolean isApparmorStatus(AuditRecord r) {
    String apparmor = r.field("apparmor");
    return apparmor != null
        && !apparmor.isEmpty()
        && !apparmor.equalsIgnoreCase("DENIED")
        && !apparmor.equalsIgnoreCase("AUDIT")
        && !apparmor.equalsIgnoreCase("ALLOWED");
  }

  private static LsmDenied selinux(AuditRecord r, Process process) {
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

  private static LsmDenied landlock(AuditRecord r, Process process) {
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
  private record Process(Long pid, String comm, String exe) {
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

  private static final class Group {
    final Instant arrived;
    final List<AuditRecord> records = new ArrayList<>();

    Group(Instant arrived) {
      this.arrived = arrived;
    }

    /** Whether it holds a record of the same type and fields (a copy read from elsewhere). */
    boolean repeats(AuditRecord record) {
      for (AuditRecord r : records) {
        if (r.type().equals(record.type()) && r.fields().equals(record.fields())) {
          return true;
        }
      }
      return false;
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
