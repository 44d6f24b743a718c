package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.testing.Sleepers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LeftoverSweepIT {

  @Test
  @DisplayName(
      "What a killed injector left (a quota cgroup holding a process, a memory-hog file) is reverted at the next start; a live injector's faults are left alone")
  void sweepsWhatDeadInjectorsLeft() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    long dead = finished.pid();
    long alive = ProcessHandle.current().pid();
    Path cpu = Path.of("/sys/fs/cgroup/cpu");
    try (Sleepers sleepers = new Sleepers()) {
      long pid = sleepers.start();
      String before = Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
      Path orphan = cpu.resolve("valentia-chaos-" + pid + "-1-" + dead);
      Path owned = cpu.resolve("valentia-chaos-" + pid + "-2-" + alive);
      Files.createDirectory(orphan);
      Files.createDirectory(owned);
      Files.writeString(orphan.resolve("cgroup.procs"), Long.toString(pid));
      Path hog = Path.of("/dev/shm", "valentia-memory-hog-" + dead + "-1");
      Files.write(hog, new byte[4096]);
      try {
        var reverted = LeftoverSweep.standard().sweep();

        assertThat(reverted).contains("memory-hog " + hog, "cpu-quota " + orphan);
        assertThat(Files.exists(hog)).isFalse();
        assertThat(Files.exists(orphan)).isFalse();
        assertThat(Files.exists(owned)).as("its injector is alive").isTrue();
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")))
            .isEqualTo(before);
      } finally {
        Files.deleteIfExists(hog);
        Files.deleteIfExists(owned);
        if (Files.exists(orphan)) {
          Files.writeString(cpu.resolve("cgroup.procs"), Long.toString(pid));
          Files.delete(orphan);
        }
      }
    }
  }
}
