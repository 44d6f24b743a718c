package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher reads a {@code /proc/locks} written by the test, whose leases name files this JVM
 * holds open, so their paths are found in {@code /proc/self/fd} as on a real machine.
 */
class FileLeaseScopeTest {
  @TempDir Path dir;
  private Path ours;
  private Path theirs;
  private Path locks;
  private final List<FileChannel> open = new ArrayList<>();
  private final List<KernelLeaseWatcher.Change> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void files() throws Exception {
    Files.createDirectories(dir.resolve("hmd"));
    ours = Files.writeString(dir.resolve("hmd/frames.bin"), "frames").toRealPath();
    theirs = Files.writeString(dir.resolve("test-suite-lock.txt"), "other").toRealPath();
    open.add(FileChannel.open(ours));
    open.add(FileChannel.open(theirs));
    locks = dir.resolve("locks");
    Files.writeString(locks, lines(lease(1, theirs), lease(2, ours)));
  }

  @AfterEach
  void close() throws Exception {
    for (FileChannel channel : open) {
      channel.close();
    }
  }

  @Test
  @DisplayName(
      "Only the file leases on configured paths are reported; another program's lease on the same"
          + " machine is not")
  void configuredPathsOnly() throws Exception {
    FileLeaseScope scope =
        new FileLeaseScope(false, List.of(dir.resolve("hmd")), List::of, Set::of);
    KernelLeaseWatcher watcher = new KernelLeaseWatcher(locks, scope, changes::add);

    watcher.poll();
    Files.writeString(locks, lines(lease(2, ours)));
    watcher.poll();

    assertThat(changes).extracting(KernelLeaseWatcher.Change::path).containsOnly(ours.toString());
    assertThat(changes)
        .extracting(KernelLeaseWatcher.Change::state)
        .containsExactly(KernelLeaseWatcher.State.ACTIVE);
  }

  @Test
  @DisplayName("With allFileLeases every lease on the machine is reported, as before")
  void everyLeaseWhenConfigured() throws Exception {
    FileLeaseScope scope = new FileLeaseScope(true, List.of(), List::of, Set::of);
    KernelLeaseWatcher watcher = new KernelLeaseWatcher(locks, scope, changes::add);

    watcher.poll();

    assertThat(changes)
        .extracting(KernelLeaseWatcher.Change::path)
        .containsExactlyInAnyOrder(ours.toString(), theirs.toString());
  }

  @Test
  @DisplayName(
      "A lease on a resource the lease service grants later is reported from the grant on, and"
          + " its end too")
  void grantedResources() throws Exception {
    List<String> granted = new CopyOnWriteArrayList<>();
    FileLeaseScope scope = new FileLeaseScope(false, List.of(), () -> granted, Set::of);
    KernelLeaseWatcher watcher = new KernelLeaseWatcher(locks, scope, changes::add);

    watcher.poll();
    assertThat(changes).isEmpty();

    granted.add(ours.toString());
    watcher.poll();
    Files.writeString(locks, lines(lease(1, theirs)));
    watcher.poll();

    assertThat(changes).extracting(KernelLeaseWatcher.Change::path).containsOnly(ours.toString());
    assertThat(changes)
        .extracting(KernelLeaseWatcher.Change::state)
        .containsExactly(KernelLeaseWatcher.State.ACTIVE, KernelLeaseWatcher.State.GONE);
  }

  @Test
  @DisplayName("A lease held by the lessee process of a granted lease is reported, wherever it is")
  void lesseeProcesses() throws Exception {
    long self = ProcessHandle.current().pid();
    FileLeaseScope scope = new FileLeaseScope(false, List.of(), List::of, () -> Set.of(self));
    Files.writeString(locks, lines(lease(1, theirs), "2: LEASE  ACTIVE    READ  1 fe:00:77 0 EOF"));
    KernelLeaseWatcher watcher = new KernelLeaseWatcher(locks, scope, changes::add);

    watcher.poll();

    assertThat(changes).extracting(KernelLeaseWatcher.Change::path).containsOnly(theirs.toString());
  }

  @Test
  @DisplayName(
      "The configuration names paths as a list of absolute paths and asks for all leases with a"
          + " boolean; anything else is refused with the key named")
  void configuration() throws Exception {
    LeasesProbe probe = new LeasesProbe();
    var yaml = io.valentia.eventbus.EventCodec.MAPPER;
    assertThat(
            probe.checkConfig(
                yaml.readTree("{\"fileLeasePaths\": [\"/srv/vr\"], \"allFileLeases\": false}")))
        .isEmpty();
    assertThat(probe.checkConfig(yaml.readTree("{\"fileLeasePaths\": [\"relative\"]}")))
        .singleElement()
        .asString()
        .startsWith("fileLeasePaths:");
    assertThat(probe.checkConfig(yaml.readTree("{\"allFileLeases\": \"yes\"}")))
        .singleElement()
        .asString()
        .startsWith("allFileLeases:");
  }

  private static String lease(int n, Path file) throws Exception {
    long inode = (Long) Files.getAttribute(file, "unix:ino");
    return n
        + ": LEASE  ACTIVE    READ  "
        + ProcessHandle.current().pid()
        + " fe:00:"
        + inode
        + " 0 EOF";
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }
}
