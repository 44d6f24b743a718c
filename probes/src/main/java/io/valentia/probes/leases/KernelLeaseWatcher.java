package io.valentia.probes.leases;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows the kernel's file leases ({@code fcntl F_SETLEASE}) in {@code /proc/locks} and reports
 * each change: a lease appears ({@code ACTIVE}), starts breaking because another process opened the
 * file ({@code BREAKING}; the kernel takes it back after {@code /proc/sys/fs/lease-break-time}
 * seconds if the holder does not let go), or is gone. Only the leases its {@link FileLeaseScope}
 * covers are reported; a lease outside it is looked at again on every read (a lease granted later
 * brings it into scope) without finding its path again. Not thread-safe: call {@link #poll()} from
 * one thread (a timer on a worker).
 */
public final class KernelLeaseWatcher {
  /** A change of one lease. */
  public record Change(State state, FileLock lease, String path, String holder) {}

  /** What happened to a lease. */
  public enum State {
    ACTIVE,
    BREAKING,
    GONE
  }

  private final Path locks;
  private final Consumer<Change> listener;
  private final FileLeaseScope scope;
  private final Map<String, Change> known = new HashMap<>();
  private final Map<String, Change> outOfScope = new HashMap<>();

  /**
   * A watcher of every lease on the machine.
   *
   * @param locks {@code /proc/locks} (another path in tests)
   * @param listener gets every change, on the polling thread
   */
  public KernelLeaseWatcher(Path locks, Consumer<Change> listener) {
    this(locks, FileLeaseScope.everything(), listener);
  }

  /**
   * @param locks {@code /proc/locks} (another path in tests)
   * @param scope which leases are reported
   * @param listener gets every change of a lease in scope, on the polling thread
   */
  public KernelLeaseWatcher(Path locks, FileLeaseScope scope, Consumer<Change> listener) {
    this.locks = locks;
    this.scope = scope;
    this.listener = listener;
  }

  /** Reads the leases once and reports what changed since the last read. Blocks briefly. */
  public void poll() throws IOException {
    List<FileLock> now = FileLock.parseAll(Files.readString(locks));
    Map<String, FileLock> current = new HashMap<>();
    for (FileLock lock : now) {
      if (lock.isLease()) {
        current.put(lock.key(), lock);
      }
    }
    for (Map.Entry<String, FileLock> entry : current.entrySet()) {
      FileLock lock = entry.getValue();
      State state = lock.mode().equals("BREAKING") ? State.BREAKING : State.ACTIVE;
      Change before = known.get(entry.getKey());
      if (before == null) {
        Change seen = outOfScope.get(entry.getKey());
        if (seen == null) {
          seen = new Change(state, lock, pathOf(lock), commandOf(lock.pid()));
        }
        if (!scope.covers(seen.path(), lock.pid())) {
          outOfScope.put(entry.getKey(), seen);
          continue;
        }
        outOfScope.remove(entry.getKey());
        Change change = new Change(state, lock, seen.path(), seen.holder());
        known.put(entry.getKey(), change);
        listener.accept(change);
      } else if (before.state() != state) {
        Change change = new Change(state, lock, before.path(), before.holder());
        known.put(entry.getKey(), change);
        listener.accept(change);
      }
    }
    outOfScope.keySet().retainAll(current.keySet());
    known
        .entrySet()
        .removeIf(
            e -> {
              if (current.containsKey(e.getKey())) {
                return false;
              }
              Change before = e.getValue();
              listener.accept(
                  new Change(State.GONE, before.lease(), before.path(), before.holder()));
              return true;
            });
  }

  /** The holder's command name, from {@code /proc/PID/comm}; {@code pid N} when gone. */
  private static String commandOf(long pid) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(pid), "comm")).strip();
    } catch (IOException e) {
      return "pid " + pid;
    }
  }

  /**
   * The leased file's path, found among the holder's open files by inode; {@code inode N on
   * MAJ:MIN} when it cannot be found.
   */
  private static String pathOf(FileLock lock) {
    String unknown = "inode " + lock.inode() + " on " + lock.device();
    if (!UNIX_VIEW) {
      return unknown;
    }
    Path fds = Path.of("/proc", String.valueOf(lock.pid()), "fd");
    try (var entries = Files.list(fds)) {
      for (Path fd : (Iterable<Path>) entries::iterator) {
        try {
          Object inode = Files.getAttribute(fd, "unix:ino");
          if (inode instanceof Long ino && ino == lock.inode()) {
            return Files.readSymbolicLink(fd).toString();
          }
        } catch (IOException e) {
          // this descriptor closed while we looked, or it is no file (a socket or pipe links to
          // no path): either way it is not the leased file, so the search goes on
        }
      }
    } catch (IOException e) {
      // not ours to read, or gone
    }
    return unknown;
  }

  /** Whether this file system gives inode numbers ({@code unix:ino}); Linux's always does. */
  private static final boolean UNIX_VIEW =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
}
