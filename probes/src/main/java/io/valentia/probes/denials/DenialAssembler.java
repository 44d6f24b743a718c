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
import java.util.Map;

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
 * thread-safe: one reader owns it. How each record is read into a denial is {@link
 * DenialRecords}'s.
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
        SyscallDenied denial = DenialRecords.seccomp(record);
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
    DenialRecords.Process process = DenialRecords.Process.of(syscall, domain);
    List<EventPayload> denials = new ArrayList<>();
    for (AuditRecord r : group.records) {
      LsmDenied denial =
          switch (r.type()) {
            case "AVC" ->
                r.field("apparmor") != null
                    ? DenialRecords.apparmor(r, process)
                    : DenialRecords.selinux(r, process);
            case "LANDLOCK_ACCESS" -> DenialRecords.landlock(r, process);
            default -> null;
          };
      if (denial != null) {
        denials.add(denial);
      } else if (r.type().equals("AVC") || r.type().equals("LANDLOCK_ACCESS")) {
        if (!DenialRecords.isApparmorStatus(r)) {
          unreadable++;
        }
      }
    }
    return denials;
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
}
