package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LeaseFormatsTest {

  @Test
  @DisplayName("/proc/locks lines are read: leases active and breaking, locks, blocked requests")
  void procLocks() {
    String text =
        "1: POSIX  ADVISORY  WRITE 31730 fe:00:1458710 0 EOF\n"
            + "2: FLOCK  ADVISORY  WRITE 31781 fe:00:2154503 0 EOF\n"
            + "3: LEASE  ACTIVE    READ  4242 08:01:393223 0 EOF\n"
            + "4: LEASE  BREAKING  UNLCK 4243 08:01:393224 0 EOF\n"
            + "4: -> LEASE  BREAKER   READ  4300 08:01:393224 0 EOF\n"
            + "garbage\n";

    List<FileLock> locks = FileLock.parseAll(text);

    assertThat(locks).hasSize(5);
    assertThat(locks.stream().filter(FileLock::isLease).toList())
        .containsExactly(
            new FileLock("LEASE", "ACTIVE", "READ", 4242, "08:01", 393223, false),
            new FileLock("LEASE", "BREAKING", "UNLCK", 4243, "08:01", 393224, false));
    assertThat(locks.get(4).blocked()).isTrue();
    assertThat(locks.get(2).key()).isEqualTo("08:01:393223:4242");
  }

  @Test
  @DisplayName("udevadm monitor --kernel --property output gives DRM lease change uevents")
  void uevents() {
    String output =
        "monitor will print the received events for:\n"
            + "KERNEL - the kernel uevent\n"
            + "\n"
            + "KERNEL[5032.871912] change   /devices/pci0000:00/0000:00:02.0/drm/card0 (drm)\n"
            + "ACTION=change\n"
            + "DEVPATH=/devices/pci0000:00/0000:00:02.0/drm/card0\n"
            + "SUBSYSTEM=drm\n"
            + "LEASE=1\n"
            + "DEVNAME=/dev/dri/card0\n"
            + "DEVTYPE=drm_minor\n"
            + "SEQNUM=4381\n"
            + "MAJOR=226\n"
            + "MINOR=0\n"
            + "\n"
            + "KERNEL[5033.100000] change   /devices/pci0000:00/0000:00:02.0/drm/card0 (drm)\n"
            + "ACTION=change\n"
            + "DEVPATH=/devices/pci0000:00/0000:00:02.0/drm/card0\n"
            + "SUBSYSTEM=drm\n"
            + "HOTPLUG=1\n"
            + "SEQNUM=4382\n";
    Uevent.Parser parser = new Uevent.Parser();
    List<Uevent> events = new ArrayList<>();
    output.lines().forEach(l -> events.addAll(parser.accept(l)));
    events.addAll(parser.finish());

    assertThat(events).hasSize(2);
    assertThat(events.get(0).isDrmLeaseChange()).isTrue();
    assertThat(events.get(0).devpath()).endsWith("/drm/card0");
    assertThat(events.get(0).properties()).containsEntry("DEVNAME", "/dev/dri/card0");
    assertThat(events.get(1).isDrmLeaseChange()).isFalse();
  }

  @Test
  @DisplayName("A wait status tells an exit from a crash by signal")
  void exitStatus() {
    assertThat(ExitStatus.fromWaitStatus(9).reason()).isEqualTo("lessee-crash");
    assertThat(ExitStatus.fromWaitStatus(9).detail()).isEqualTo("killed by signal 9 (SIGKILL)");
    assertThat(ExitStatus.fromWaitStatus(0x86).signal()).isEqualTo(6); // SIGABRT with core dump
    assertThat(ExitStatus.fromWaitStatus(3 << 8).reason()).isEqualTo("lessee-exit");
    assertThat(ExitStatus.fromWaitStatus(3 << 8).detail()).isEqualTo("exit status 3");
    assertThat(ExitStatus.UNKNOWN.reason()).isEqualTo("lessee-exit");
  }
}
