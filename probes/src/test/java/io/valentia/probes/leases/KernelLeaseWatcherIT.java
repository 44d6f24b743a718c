package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelLeaseWatcherIT {
  // python3 can call fcntl(F_SETLEASE); Java cannot
  private static final String HOLD_LEASE =
      "import fcntl, os, signal, sys, time\n"
          + "signal.signal(signal.SIGIO, signal.SIG_IGN)  # the break notice; by default it kills\n"
          + "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
          + "fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)\n"
          + "print('held', flush=True)\n"
          + "time.sleep(120)\n";
  private static final String OPEN_FOR_WRITING =
      "import os, sys\n"
          + "try:\n"
          + "    os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)\n"
          + "except BlockingIOError:\n"
          + "    pass  # the kernel started breaking the lease\n";

  @Test
  @DisplayName(
      "A real file lease shows up as active, then breaking when another process opens the file,"
          + " then gone when its holder ends")
  void followsAFileLease(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("leased.txt"), "frame data\n");
    List<KernelLeaseWatcher.Change> changes = new CopyOnWriteArrayList<>();
    KernelLeaseWatcher watcher = new KernelLeaseWatcher(Path.of("/proc/locks"), changes::add);
    watcher.poll();

    Process holder = new ProcessBuilder("python3", "-c", HOLD_LEASE, file.toString()).start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("held");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen(watcher, changes, holder, "ACTIVE"));
      KernelLeaseWatcher.Change active = find(changes, holder, "ACTIVE");
      assertThat(active.path()).isEqualTo(file.toRealPath().toString());
      assertThat(active.holder()).startsWith("python");
      assertThat(active.lease().type()).isEqualTo("READ");

      Process breaker =
          new ProcessBuilder("python3", "-c", OPEN_FOR_WRITING, file.toString()).start();
      assertThat(breaker.waitFor(10, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> seen(watcher, changes, holder, "BREAKING"));

      holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> seen(watcher, changes, holder, "GONE"));
      assertThat(find(changes, holder, "GONE").path()).isEqualTo(file.toRealPath().toString());
    } finally {
      holder.destroyForcibly();
    }
  }

  private static boolean seen(
      KernelLeaseWatcher watcher,
      List<KernelLeaseWatcher.Change> changes,
      Process holder,
      String state)
      throws Exception {
    watcher.poll();
    return find(changes, holder, state) != null;
  }

  private static KernelLeaseWatcher.Change find(
      List<KernelLeaseWatcher.Change> changes, Process holder, String state) {
    return changes.stream()
        .filter(c -> c.lease().pid() == holder.pid() && c.state().name().equals(state))
        .findFirst()
        .orElse(null);
  }
}
