package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.Sleepers;
import io.valentia.eventbus.EventCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CPU and memory faults on real processes and cgroups of this machine. */
class ProcessFaultsIT {
  private final Sleepers sleepers = new Sleepers();
  private final FaultInjector injector =
      new FaultInjector(
          FaultCatalog.standard(), Runs.allowing("pids", "cgroups", "hosts").policy());

  @AfterEach
  void stop() throws Exception {
    injector.close();
    sleepers.close();
  }

  private static String cgroupOf(long pid) throws Exception {
    return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
  }

  @Test
  @DisplayName(
      "A CPU quota on one process moves it into a cgroup limited to the share asked for, and reverting moves it back and removes that cgroup")
  void cpuQuotaOnAProcess() throws Exception {
    long pid = sleepers.start();
    String before = cgroupOf(pid);
    CpuQuota.Hierarchy hierarchy = new CpuQuota(Path.of("/sys/fs/cgroup")).hierarchy();

    injector.inject(
        "run",
        "cpu-quota",
        EventCodec.MAPPER.readTree(
            "{\"pid\": " + pid + ", \"percent\": 20, \"duration\": \"30s\"}"));

    String during = cgroupOf(pid);
    assertThat(during).contains("valentia-chaos-" + pid);
    Path dir = hierarchy.dir().resolve(hierarchy.cgroupOf(pid).substring(1));
    assertThat(hierarchy.readQuota(dir)).isIn("20000 100000");

    injector.revertAll("test");

    assertThat(cgroupOf(pid)).isEqualTo(before);
    assertThat(Files.exists(dir)).isFalse();
  }

  @Test
  @DisplayName("A CPU quota on a named cgroup is set and the previous quota is restored")
  void cpuQuotaOnACgroup() throws Exception {
    CpuQuota.Hierarchy hierarchy = new CpuQuota(Path.of("/sys/fs/cgroup")).hierarchy();
    Path dir = hierarchy.dir().resolve("valentia-test-" + System.nanoTime());
    Files.createDirectory(dir);
    try {
      String previous = hierarchy.readQuota(dir);

      injector.inject(
          "run",
          "cpu-quota",
          EventCodec.MAPPER.readTree(
              "{\"cgroup\": \""
                  + dir.getFileName()
                  + "\", \"percent\": 30, \"duration\": \"30s\"}"));
      assertThat(hierarchy.readQuota(dir)).isEqualTo("30000 100000");

      injector.revertAll("test");
      assertThat(hierarchy.readQuota(dir)).isEqualTo(previous);
    } finally {
      Files.delete(dir);
    }
  }

  @Test
  @DisplayName(
      "A memory hog holds the memory asked for in a RAM file system and frees it on revert")
  void memoryHog() throws Exception {
    injector.inject(
        "run",
        "memory-hog",
        EventCodec.MAPPER.readTree("{\"size\": \"16m\", \"duration\": \"30s\"}"));

    Path file;
    try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
      file =
          files
              .filter(
                  p ->
                      p.getFileName()
                          .toString()
                          .startsWith("valentia-memory-hog-" + ProcessHandle.current().pid()))
              .findFirst()
              .orElseThrow();
    }
    assertThat(Files.size(file)).isEqualTo(16L << 20);
    injector.revertAll("test");
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  @DisplayName("A CPU hog runs busy threads until it is reverted")
  void cpuHog() throws Exception {
    injector.inject(
        "run", "cpu-hog", EventCodec.MAPPER.readTree("{\"workers\": 1, \"duration\": \"30s\"}"));

    assertThat(Thread.getAllStackTraces().keySet())
        .anySatisfy(t -> assertThat(t.getName()).startsWith("valentia-cpu-hog-"));
    injector.revertAll("test");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneSatisfy(t -> assertThat(t.getName()).startsWith("valentia-cpu-hog-"));
  }

  @Test
  @DisplayName("A kill ends a real process and is not kept as an active fault")
  void kill() throws Exception {
    long pid = sleepers.start();

    injector.inject("run", "process-kill", EventCodec.MAPPER.readTree("{\"pid\": " + pid + "}"));

    org.awaitility.Awaitility.await()
        .until(
            () ->
                ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)
                    || Sleepers.state(pid).equals("Z"));
    assertThat(injector.active()).isEmpty();
  }
}
