package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.SyscallDenied;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Records in the forms the kernel, auditd and ausearch write them (see FORMATS.md). */
@DisplayName("Reading denials from audit lines")
class DenialParsingTest {
  private static final Instant T = Instant.parse("2025-03-14T09:26:53.589Z");
  private static final AuditLineParser PARSER = new AuditLineParser(ZoneOffset.UTC);

  private static List<EventPayload> denials(String... lines) {
    DenialAssembler assembler = new DenialAssembler(java.time.Duration.ofSeconds(2));
    List<EventPayload> out = new ArrayList<>();
    for (String line : lines) {
      if (PARSER.parse(line) instanceof AuditLine.Record r) {
        out.addAll(assembler.add(r.record(), T));
      }
    }
    out.addAll(assembler.drain());
    return out;
  }

  private static SyscallDenied seccomp(String line) {
    List<EventPayload> found = denials(line);
    assertThat(found).hasSize(1);
    return (SyscallDenied) found.get(0);
  }

  @Nested
  @DisplayName("SECCOMP (1326)")
  class Seccomp {
    @Test
    @DisplayName("A /dev/kmsg record of a killed x86_64 process names the syscall and the action.")
    void kmsgKill() {
      SyscallDenied d =
          seccomp(
              "6,1234,5678901,-;audit: type=1326 audit(1741944413.589:1234): auid=4294967295"
                  + " uid=1000 gid=1000 ses=4294967295 subj=unconfined pid=4242 comm=\"vrserver\""
                  + " exe=\"/opt/steam/vrserver\" sig=31 arch=c000003e syscall=101 compat=0"
                  + " ip=0x7f3c2a1b2c3d code=0x80000000");
      assertThat(d.syscall()).isEqualTo("ptrace");
      assertThat(d.syscallNr()).isEqualTo(101);
      assertThat(d.arch()).isEqualTo("x86_64");
      assertThat(d.action()).isEqualTo("KILL_PROCESS");
      assertThat(d.errno()).isNull();
      assertThat(d.pid()).isEqualTo(4242);
      assertThat(d.comm()).isEqualTo("vrserver");
      assertThat(d.exe()).isEqualTo("/opt/steam/vrserver");
      assertThat(d.uid()).isEqualTo(1000L);
      assertThat(d.firstSeen()).isEqualTo(T);
      assertThat(d.count()).isEqualTo(1);
    }

    @Test
    @DisplayName("A dmesg line with its timestamp prefix reads the same as the kmsg record.")
    void dmesg() {
      SyscallDenied d =
          seccomp(
              "[ 1234.567890] audit: type=1326 audit(1741944413.589:77): auid=0 uid=0 gid=0"
                  + " ses=1 pid=9 comm=\"uname\" exe=\"/usr/bin/uname\" sig=31 arch=c000003e"
                  + " syscall=63 compat=0 ip=0x7f code=0x0");
      assertThat(d.syscall()).isEqualTo("uname");
      assertThat(d.action()).isEqualTo("KILL_THREAD");
    }

    @Test
    @DisplayName("A syslog line with host and kernel prefixes is read, with an aarch64 syscall.")
    void syslogAarch64() {
      SyscallDenied d =
          seccomp(
              "Mar 14 09:26:53 osd-12 kernel: [  402.113412] audit: type=1326"
                  + " audit(1741944413.589:12): auid=1000 uid=1000 gid=1000 ses=2 pid=771"
                  + " comm=\"app\" exe=\"/usr/bin/app\" sig=0 arch=c00000b7 syscall=117"
                  + " compat=0 ip=0xffff8a1c code=0x50001");
      assertThat(d.arch()).isEqualTo("aarch64");
      assertThat(d.syscall()).isEqualTo("ptrace");
      assertThat(d.action()).isEqualTo("ERRNO");
      assertThat(d.errno()).isEqualTo(1);
    }

    @Test
    @DisplayName(
        "An audit.log line of an i386 (compat) process names the syscall from the 32-bit table.")
    void auditLogI386() {
      SyscallDenied d =
          seccomp(
              "type=SECCOMP msg=audit(1741944413.589:4567): auid=1000 uid=1000 gid=1000 ses=3"
                  + " subj=unconfined pid=5150 comm=\"old32\" exe=\"/opt/old32\" sig=31"
                  + " arch=40000003 syscall=26 compat=1 ip=0xf7f1c549 code=0x30000");
      assertThat(d.arch()).isEqualTo("i386");
      assertThat(d.syscall()).isEqualTo("ptrace");
      assertThat(d.action()).isEqualTo("TRAP");
    }

    @Test
    @DisplayName(
        "An ENRICHED audit.log line is read up to the 0x1d separator, and its fields after it.")
    void enriched() {
      SyscallDenied d =
          seccomp(
              "node=osd-12 type=SECCOMP msg=audit(1741944413.589:4568): auid=1000 uid=1000"
                  + " gid=1000 ses=3 subj=unconfined pid=5151 comm=\"vrserver\""
                  + " exe=\"/opt/vrserver\" sig=0 arch=c000003e syscall=165 compat=0"
                  + " ip=0x7f code=0x7ffc0000\u001dAUID=\"alice\" UID=\"alice\" GID=\"alice\""
                  + " ARCH=x86_64 SYSCALL=mount");
      assertThat(d.syscall()).isEqualTo("mount");
      assertThat(d.syscallNr()).isEqualTo(165);
      assertThat(d.action()).isEqualTo("LOG");
      assertThat(d.uid()).isEqualTo(1000L);
    }

    @Test
    @DisplayName(
        "ausearch -i output (interpreted names, local date) is read back to numbers; its code=kill"
            + " is a kill without claiming which.")
    void ausearchInterpreted() {
      SyscallDenied d =
          seccomp(
              "type=SECCOMP msg=audit(03/14/25 09:26:53.589:4569) : auid=alice uid=root"
                  + " gid=root ses=3 subj=unconfined pid=5152 comm=vrserver exe=/opt/vr server"
                  + " sig=SIGSYS arch=x86_64 syscall=msync compat=0 ip=0x7f code=kill");
      assertThat(d.syscall()).isEqualTo("msync");
      assertThat(d.syscallNr()).isEqualTo(26);
      assertThat(d.action()).isEqualTo("KILL");
      assertThat(d.uid()).isZero();
      assertThat(d.exe()).isEqualTo("/opt/vr server");
      assertThat(d.firstSeen()).isEqualTo(T);
    }

    @Test
    @DisplayName("A hex-encoded command name (it had a space) is decoded.")
    void hexComm() {
      SyscallDenied d =
          seccomp(
              "type=SECCOMP msg=audit(1741944413.589:1): auid=0 uid=0 gid=0 ses=1 pid=3"
                  + " comm=6D7920617070 exe=\"/bin/x\" sig=31 arch=c000003e syscall=0 compat=0"
                  + " ip=0x1 code=0x80000000");
      assertThat(d.comm()).isEqualTo("my app");
      assertThat(d.syscall()).isEqualTo("read");
    }

    @Test
    @DisplayName("An architecture without a table keeps its hex value and the syscall number only.")
    void unknownArch() {
      SyscallDenied d =
          seccomp(
              "type=SECCOMP msg=audit(1741944413.589:2): auid=0 uid=0 gid=0 ses=1 pid=3"
                  + " comm=\"x\" exe=\"/bin/x\" sig=31 arch=80000015 syscall=26 compat=0 ip=0x1"
                  + " code=0x80000000");
      assertThat(d.arch()).isEqualTo("80000015");
      assertThat(d.syscall()).isNull();
      assertThat(d.syscallNr()).isEqualTo(26);
    }
  }

  @ParameterizedTest(name = "{0} is {1} {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "0x80000000, KILL_PROCESS, null",
        "0x00000000, KILL_THREAD, null",
        "0x00030000, TRAP, null",
        "0x00050026, ERRNO, 38",
        "0x7fc00000, USER_NOTIF, null",
        "0x7ff00000, TRACE, null",
        "0x7ffc0000, LOG, null",
        "0x7fff0000, ALLOW, null",
        "kill-process, KILL_PROCESS, null",
        "'errno(EPERM)', ERRNO, 1",
        "user-notif, USER_NOTIF, null"
      })
  @DisplayName("Every seccomp action code decodes, raw or interpreted.")
  void seccompActions(String code, String action, Integer errno) {
    assertThat(SeccompAction.decode(code)).contains(new SeccompAction(action, errno));
  }

  @Test
  @DisplayName("The syscall tables name well-known syscalls of each architecture by number.")
  void syscallTables() {
    assertThat(SyscallTable.of(AuditArch.X86_64).name(59)).contains("execve");
    assertThat(SyscallTable.of(AuditArch.X86_64).name(435)).contains("clone3");
    assertThat(SyscallTable.of(AuditArch.AARCH64).name(221)).contains("execve");
    assertThat(SyscallTable.of(AuditArch.AARCH64).name(56)).contains("openat");
    assertThat(SyscallTable.of(AuditArch.I386).name(11)).contains("execve");
    assertThat(SyscallTable.of(AuditArch.I386).name(462)).contains("mseal");
    assertThat(SyscallTable.of(AuditArch.AARCH64).number("open")).isEmpty();
  }

  @Nested
  @DisplayName("LSM denials")
  class Lsm {
    @Test
    @DisplayName("An AppArmor file denial from the kernel log names profile, path and masks.")
    void apparmorFile() {
      List<EventPayload> found =
          denials(
              "audit: type=1400 audit(1741944413.589:90): apparmor=\"DENIED\" operation=\"open\""
                  + " class=\"file\" profile=\"/usr/sbin/cupsd\" name=\"/etc/shadow\" pid=1234"
                  + " comm=\"cupsd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0");
      assertThat(found).singleElement().isInstanceOf(LsmDenied.class);
      LsmDenied d = (LsmDenied) found.get(0);
      assertThat(d.lsm()).isEqualTo("apparmor");
      assertThat(d.operation()).isEqualTo("open");
      assertThat(d.profile()).isEqualTo("/usr/sbin/cupsd");
      assertThat(d.object()).isEqualTo("/etc/shadow");
      assertThat(d.requested()).isEqualTo("r");
      assertThat(d.denied()).isEqualTo("r");
      assertThat(d.outcome()).isEqualTo("denied");
      assertThat(d.pid()).isEqualTo(1234L);
    }

    @Test
    @DisplayName("An AppArmor network denial names the socket family and type as its object.")
    void apparmorNetwork() {
      List<EventPayload> found =
          denials(
              "type=AVC msg=audit(1741944413.589:91): apparmor=\"AUDIT\" operation=\"create\""
                  + " profile=\"snap.app\" pid=77 comm=\"app\" family=\"inet\" sock_type=\"raw\""
                  + " protocol=1 requested_mask=\"create\" denied_mask=\"create\"");
      LsmDenied d = (LsmDenied) found.get(0);
      assertThat(d.object()).isEqualTo("inet/raw");
      assertThat(d.outcome()).isEqualTo("audit");
    }

    @Test
    @DisplayName("An SELinux AVC is merged with the SYSCALL record of its audit id.")
    void selinuxMergedWithSyscall() {
      List<EventPayload> found =
          denials(
              "type=AVC msg=audit(1741944413.589:92): avc:  denied  { read write } for  pid=4242"
                  + " comm=\"vrcompositor\" name=\"card0\" dev=\"devtmpfs\" ino=1234"
                  + " scontext=system_u:system_r:vr_t:s0"
                  + " tcontext=system_u:object_r:dri_device_t:s0 tclass=chr_file permissive=0",
              "type=SYSCALL msg=audit(1741944413.589:92): arch=c000003e syscall=257 success=no"
                  + " exit=-13 a0=ffffff9c a1=7ffd a2=2 a3=0 items=0 ppid=1 pid=4242 auid=1000"
                  + " uid=1000 gid=1000 euid=1000 comm=\"vrcompositor\""
                  + " exe=\"/usr/bin/vrcompositor\" subj=system_u:system_r:vr_t:s0 key=(null)",
              "type=EOE msg=audit(1741944413.589:92): ");
      assertThat(found).hasSize(1);
      LsmDenied d = (LsmDenied) found.get(0);
      assertThat(d.lsm()).isEqualTo("selinux");
      assertThat(d.operation()).isEqualTo("read write");
      assertThat(d.scontext()).isEqualTo("system_u:system_r:vr_t:s0");
      assertThat(d.tcontext()).isEqualTo("system_u:object_r:dri_device_t:s0");
      assertThat(d.tclass()).isEqualTo("chr_file");
      assertThat(d.object()).isEqualTo("card0");
      assertThat(d.permissive()).isFalse();
      assertThat(d.exe()).isEqualTo("/usr/bin/vrcompositor");
    }

    @Test
    @DisplayName("Landlock access records take the process from the domain and SYSCALL records.")
    void landlock() {
      List<EventPayload> found =
          denials(
              "type=LANDLOCK_ACCESS msg=audit(1729738800.268:30): domain=195ba459b"
                  + " blockers=fs.make_reg path=\"/usr/local\" dev=\"vda2\" ino=365",
              "type=LANDLOCK_DOMAIN msg=audit(1729738800.268:30): domain=195ba459b"
                  + " status=allocated mode=enforcing pid=286 uid=0 exe=\"/root/sandboxer\""
                  + " comm=\"sandboxer\"",
              "audit: type=1300 audit(1729738800.268:30): arch=c000003e syscall=133"
                  + " success=no exit=-13 pid=286 auid=0 comm=\"sandboxer\""
                  + " exe=\"/root/sandboxer\"");
      assertThat(found).hasSize(1);
      LsmDenied d = (LsmDenied) found.get(0);
      assertThat(d.lsm()).isEqualTo("landlock");
      assertThat(d.operation()).isEqualTo("fs.make_reg");
      assertThat(d.profile()).isEqualTo("195ba459b");
      assertThat(d.object()).isEqualTo("/usr/local");
      assertThat(d.pid()).isEqualTo(286L);
      assertThat(d.exe()).isEqualTo("/root/sandboxer");
    }

    @Test
    @DisplayName("A Landlock record in the kernel log's numeric form (1423) is read too.")
    void landlockKmsg() {
      List<EventPayload> found =
          denials(
              "audit: type=1423 audit(1729738800.268:31): domain=195ba459b"
                  + " blockers=net.connect_tcp daddr=127.0.0.1 dest=443");
      assertThat(((LsmDenied) found.get(0)).object()).isEqualTo("127.0.0.1:443");
    }
  }

  @Test
  @DisplayName("The kernel's suppressed-callbacks line is a count; other lines are told apart.")
  void suppressedAndOthers() {
    assertThat(PARSER.parse("[ 99.1] kauditd_printk_skb: 17 callbacks suppressed"))
        .isEqualTo(new AuditLine.Suppressed(17));
    assertThat(PARSER.parse("6,99,1,-;kauditd_printk_skb: 3 callbacks suppressed"))
        .isEqualTo(new AuditLine.Suppressed(3));
    assertThat(PARSER.parse("[ 1.0] usb 1-1: new high-speed USB device"))
        .isInstanceOf(AuditLine.Other.class);
    assertThat(PARSER.parse("type=SECCOMP msg=audit(garbage): pid=1"))
        .isInstanceOf(AuditLine.Unreadable.class);
  }

  @Test
  @DisplayName("A SECCOMP record without a pid is counted as unreadable, not a denial.")
  void incompleteSeccomp() {
    DenialAssembler assembler = new DenialAssembler(java.time.Duration.ofSeconds(2));
    AuditLine line =
        PARSER.parse("type=SECCOMP msg=audit(1741944413.589:3): arch=c000003e syscall=1 code=0x0");
    assertThat(assembler.add(((AuditLine.Record) line).record(), T)).isEmpty();
    assertThat(assembler.unreadable()).isEqualTo(1);
  }

  @Nested
  @DisplayName("Journal form, kill kinds, time zones and copies")
  class FormsAndCopies {
    @Test
    @DisplayName(
        "The raw form of the same kill says KILL_PROCESS; its ausearch -i form only says kill.")
    void killKinds() {
      assertThat(
              seccomp(
                      "type=SECCOMP msg=audit(1741944413.589:4569): auid=1000 uid=0 gid=0 ses=3"
                          + " pid=5152 comm=\"vrserver\" exe=\"/opt/vrserver\" sig=31"
                          + " arch=c000003e syscall=26 compat=0 ip=0x7f code=0x80000000")
                  .action())
          .isEqualTo("KILL_PROCESS");
      assertThat(SeccompAction.decode("kill")).contains(new SeccompAction("KILL", null));
      assertThat(SeccompAction.decode("kill").orElseThrow().kills()).isTrue();
      assertThat(SeccompAction.decode("kill-thread"))
          .contains(new SeccompAction("KILL_THREAD", null));
    }

    @Test
    @DisplayName("ausearch -i dates are read as local time of the zone given, not as UTC.")
    void interpretedTimeZone() {
      AuditLineParser berlin = new AuditLineParser(java.time.ZoneId.of("Europe/Berlin"));
      AuditLine line =
          berlin.parse(
              "type=SECCOMP msg=audit(03/14/25 09:26:53.589:4569) : auid=alice uid=root"
                  + " gid=root ses=3 pid=5152 comm=vrserver exe=/opt/vrserver"
                  + " sig=SIGSYS arch=x86_64 syscall=msync compat=0 ip=0x7f code=kill");
      assertThat(((AuditLine.Record) line).record().time())
          .isEqualTo(Instant.parse("2025-03-14T08:26:53.589Z"));
    }

    @Test
    @DisplayName(
        "The journal's form audit[PID]: AVC apparmor=\"DENIED\" ... is read, with the line's time.")
    void journalApparmor() {
      AuditLineParser parser =
          new AuditLineParser(
              ZoneOffset.UTC,
              java.time.Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC));
      DenialAssembler assembler = new DenialAssembler(java.time.Duration.ofSeconds(2));
      AuditLine line =
          parser.parse(
              "Mar 14 09:26:53 osd-12 audit[1234]: AVC apparmor=\"DENIED\" operation=\"open\""
                  + " class=\"file\" profile=\"/usr/sbin/cupsd\" name=\"/etc/shadow\""
                  + " pid=1234 comm=\"cupsd\" requested_mask=\"r\" denied_mask=\"r\""
                  + " fsuid=0 ouid=0");
      assertThat(line).isInstanceOf(AuditLine.Record.class);
      assertThat(assembler.add(((AuditLine.Record) line).record(), T)).isEmpty();
      List<EventPayload> found = assembler.drain();
      LsmDenied d = (LsmDenied) found.get(0);
      assertThat(d.lsm()).isEqualTo("apparmor");
      assertThat(d.object()).isEqualTo("/etc/shadow");
      assertThat(d.pid()).isEqualTo(1234L);
      assertThat(d.firstSeen()).isEqualTo(Instant.parse("2025-03-14T09:26:53Z"));

      AuditLine iso =
          parser.parse(
              "2025-03-14T10:26:53.589+0100 osd-12 audit[77]: SECCOMP auid=0 uid=0 gid=0 ses=1"
                  + " pid=77 comm=\"app\" exe=\"/usr/bin/app\" sig=31 arch=c000003e"
                  + " syscall=101 compat=0 ip=0x1 code=0x80000000");
      List<EventPayload> seccomp = assembler.add(((AuditLine.Record) iso).record(), T);
      assertThat(((SyscallDenied) seccomp.get(0)).syscall()).isEqualTo("ptrace");
      assertThat(((SyscallDenied) seccomp.get(0)).firstSeen()).isEqualTo(T);
    }

    @Test
    @DisplayName(
        "The kernel log's raw record and audit.log's ENRICHED copy of one audit id are one denial.")
    void rawAndEnrichedCopies() {
      String raw =
          "audit: type=1326 audit(1741944413.589:4568): auid=1000 uid=1000 gid=1000 ses=3"
              + " subj=unconfined pid=5151 comm=\"vrserver\" exe=\"/opt/vrserver\" sig=0"
              + " arch=c000003e syscall=165 compat=0 ip=0x7f code=0x7ffc0000";
      String enriched =
          "node=osd-12 type=SECCOMP msg=audit(1741944413.589:4568): auid=1000 uid=1000"
              + " gid=1000 ses=3 subj=unconfined pid=5151 comm=\"vrserver\""
              + " exe=\"/opt/vrserver\" sig=0 arch=c000003e syscall=165 compat=0"
              + " ip=0x7f code=0x7ffc0000\u001dAUID=\"alice\" UID=\"alice\" GID=\"alice\""
              + " ARCH=x86_64 SYSCALL=mount";
      String avc =
          "type=AVC msg=audit(1741944413.700:95): apparmor=\"DENIED\" operation=\"open\""
              + " profile=\"p\" name=\"/etc/shadow\" pid=78 comm=\"cat\""
              + " requested_mask=\"r\" denied_mask=\"r\"";
      List<io.valentia.eventbus.CloudEvent> events = new ArrayList<>();
      DenialWatcher watcher =
          new DenialWatcher(
              PARSER,
              java.time.Duration.ofSeconds(10),
              null,
              java.time.Clock.fixed(T, ZoneOffset.UTC),
              "osd-12",
              events::add);
      watcher.accept(raw);
      watcher.accept(enriched);
      watcher.accept(avc);
      watcher.accept("audit: type=1400 " + avc.substring(avc.indexOf("audit(")));
      watcher.drain();

      assertThat(events).hasSize(2);
      assertThat(events).allSatisfy(e -> assertThat(e.extensions()).isEmpty());
      assertThat(watcher.stats().denials()).isEqualTo(2);
      assertThat(watcher.stats().duplicates()).isEqualTo(2);
    }
  }
}
