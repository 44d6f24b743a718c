package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.Container;
import io.valentia.eventbus.payload.SyscallDenied;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Attribution to containers and folding of bursts")
class AttributionAndBurstTest {
  private static final String ID =
      "3f1c9a0b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "0::/system.slice/docker-" + ID + ".scope, docker",
    "12:memory:/docker/" + ID + ", docker",
    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/cri-containerd-"
        + ID
        + ".scope, containerd",
    "4:pids:/kubepods/besteffort/pod0f1e2d3c-aaaa-bbbb-cccc-111122223333/" + ID + ", containerd",
    "0::/kubepods.slice/kubepods-pod1a2b.slice/crio-" + ID + ".scope, cri-o",
    "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope, podman",
    "1:name=systemd:/machine.slice/libpod-" + ID + ".scope/container, podman"
  })
  @DisplayName("A container's cgroup path names its runtime and id, in cgroup v1 and v2.")
  void containers(String cgroupLine, String runtime) {
    Container c = ProcessAttribution.container(cgroupLine + "\n");
    assertThat(c.runtime()).isEqualTo(runtime);
    assertThat(c.id()).isEqualTo(ID);
  }

  @Test
  @DisplayName("A systemd service is a unit without an id; the root cgroup is no container.")
  void systemdAndRoot() {
    Container unit = ProcessAttribution.container("0::/system.slice/vrserver.service\n");
    assertThat(unit).isEqualTo(new Container(null, "systemd", "/system.slice/vrserver.service"));
    assertThat(ProcessAttribution.container("0::/\n")).isNull();
    String v1 = "11:devices:/\n4:cpu,cpuacct:/system.slice/ceph-osd@12.service\n1:name=systemd:/\n";
    assertThat(ProcessAttribution.container(v1).cgroup())
        .isEqualTo("/system.slice/ceph-osd@12.service");
  }

  @Test
  @DisplayName("A live process's cgroup and seccomp mode are read from its /proc directory.")
  void fromProc(@TempDir Path proc) throws Exception {
    Path dir = Files.createDirectories(proc.resolve("4242"));
    Files.writeString(dir.resolve("cgroup"), "0::/system.slice/docker-" + ID + ".scope\n");
    Files.writeString(dir.resolve("status"), "Name:\tvrserver\nSeccomp:\t2\nSeccomp_filters:\t1\n");
    ProcessAttribution.Facts facts = new ProcessAttribution(proc).of(4242);
    assertThat(facts.container().id()).isEqualTo(ID);
    assertThat(facts.seccompMode()).isEqualTo("filter");
    assertThat(new ProcessAttribution(proc).of(1))
        .isEqualTo(new ProcessAttribution.Facts(null, null));
  }

  @Test
  @DisplayName("This JVM's own /proc entry reads without error (seccomp mode known).")
  void ownProcess() {
    ProcessAttribution.Facts facts =
        new ProcessAttribution(Path.of("/proc")).of(ProcessHandle.current().pid());
    assertThat(facts.seccompMode()).isIn("disabled", "strict", "filter");
  }

  @Test
  @DisplayName(
      "A burst's first denial is published as soon as its line is read; the rest of the burst"
          + " follows when it ends, as one event with their count that names the first one.")
  void burstFolds() {
    List<CloudEvent> events = new ArrayList<>();
    Instant t0 = Instant.parse("2025-03-14T09:26:53Z");
    DenialWatcher watcher =
        new DenialWatcher(
            new AuditLineParser(ZoneOffset.UTC),
            Duration.ofSeconds(10),
            null,
            Clock.fixed(t0, ZoneOffset.UTC),
            "osd-12",
            events::add);
    watcher.accept(seccompLine(t0, 100, "0x80000000"));
    assertThat(events).hasSize(1); // at once, not a window later
    for (int i = 1; i < 5; i++) {
      watcher.accept(seccompLine(t0.plusSeconds(i), 100 + i, "0x80000000"));
    }
    watcher.accept(seccompLine(t0.plusSeconds(2), 200, "0x50001")); // another action
    assertThat(events).hasSize(2);
    watcher.accept(seccompLine(t0.plusSeconds(30), 300, "0x80000000")); // past the window
    watcher.drain();

    assertThat(events).hasSize(4);
    SyscallDenied first =
        (SyscallDenied) EventCodec.instance().payload(events.get(0)).orElseThrow();
    assertThat(first.count()).isEqualTo(1);
    assertThat(first.firstSeen()).isEqualTo(t0);
    assertThat(events.get(0).subject()).isEqualTo("osd-12:/usr/bin/app");
    assertThat(events.get(0).source()).isEqualTo("/probes/denials/osd-12");
    assertThat(events.get(0).extensions()).isEmpty();

    CloudEvent end = events.get(2);
    SyscallDenied rest = (SyscallDenied) EventCodec.instance().payload(end).orElseThrow();
    assertThat(rest.count()).isEqualTo(4);
    assertThat(rest.firstSeen()).isEqualTo(t0.plusSeconds(1));
    assertThat(rest.lastSeen()).isEqualTo(t0.plusSeconds(4));
    assertThat(end.extensions().get(DenialWatcher.BURST_OF).asText()).isEqualTo(events.get(0).id());
    assertThat(end.extensions().get(DenialWatcher.BURST_COUNT).asInt()).isEqualTo(5);
    CloudEvent decoded = EventCodec.instance().decode(EventCodec.instance().encodeToString(end));
    assertThat(decoded.extensions().get(DenialWatcher.BURST_OF).asText())
        .isEqualTo(events.get(0).id());
    assertThat(decoded.extensions().get(DenialWatcher.BURST_COUNT).asInt()).isEqualTo(5);
    assertThat(DenialWatcher.describe(end, rest)).contains("x4 more (burst of 5");
    assertThat(events.get(3).extensions()).isEmpty(); // a new burst past the window
    assertThat(watcher.stats().denials()).isEqualTo(7);
    assertThat(watcher.stats().events()).isEqualTo(4);
  }

  @Test
  @DisplayName(
      "A lone kill is published within the second its line is read, and its burst's end adds"
          + " nothing when no other denial joined it.")
  void loneKillAtOnce() {
    List<CloudEvent> events = new ArrayList<>();
    Instant t0 = Instant.parse("2025-03-14T09:26:53Z");
    MutableClock clock = new MutableClock(t0);
    DenialWatcher watcher =
        new DenialWatcher(
            new AuditLineParser(ZoneOffset.UTC),
            Duration.ofSeconds(10),
            null,
            clock,
            "osd-12",
            events::add);
    watcher.accept(seccompLine(t0, 100, "0x80000000"));
    clock.now = t0.plusMillis(200);
    watcher.tick();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).severity()).isEqualTo(io.valentia.eventbus.Severity.CRITICAL);
    clock.now = t0.plusSeconds(11);
    watcher.tick();
    watcher.drain();
    assertThat(events).hasSize(1);
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static String seccompLine(Instant t, long serial, String code) {
    return "type=SECCOMP msg=audit("
        + t.getEpochSecond()
        + ".000:"
        + serial
        + "): auid=0 uid=0 gid=0 ses=1 pid=77 comm=\"app\" exe=\"/usr/bin/app\" sig=31"
        + " arch=c000003e syscall=101 compat=0 ip=0x1 code="
        + code;
  }
}
