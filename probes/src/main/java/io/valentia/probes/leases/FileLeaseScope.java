package io.valentia.probes.leases;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which kernel file leases the watcher reports. {@code /proc/locks} lists every lease on the
 * machine, most of them other programs' business (a desktop's file indexer, a test suite); the
 * watcher reports only a lease
 *
 * <ul>
 *   <li>on a file the configuration names, or on a file under a directory it names;
 *   <li>on a resource the lease service granted (the resource is the file's path), or held by the
 *       lessee process of such a lease;
 *   <li>or any lease at all, when the configuration asks for all of them.
 * </ul>
 *
 * Thread-safe when the suppliers are.
 */
public final class FileLeaseScope {
  private final boolean all;
  private final List<Path> named;
  private final Supplier<? extends Collection<String>> grantedResources;
  private final Supplier<? extends Set<Long>> lesseePids;

  /**
   * @param all report every lease on the machine
   * @param named files or directories whose leases are reported (absolute paths)
   * @param grantedResources the resources of the leases the lease service holds now
   * @param lesseePids the process ids of those leases' lessees
   */
  public FileLeaseScope(
      boolean all,
      List<Path> named,
      Supplier<? extends Collection<String>> grantedResources,
      Supplier<? extends Set<Long>> lesseePids) {
    this.all = all;
    this.named = named.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    this.grantedResources = grantedResources;
    this.lesseePids = lesseePids;
  }

  /** Every lease on the machine. */
  public static FileLeaseScope everything() {
    return new FileLeaseScope(true, List.of(), List::of, Set::of);
  }

  /**
   * Whether the lease on {@code path} held by {@code pid} is to be reported.
   *
   * @param path the leased file's path, or a description ({@code inode N on MAJ:MIN}) when it was
   *     not found
   * @param pid the holder's process id
   */
  public boolean covers(String path, long pid) {
    if (all) {
      return true;
    }
    if (path.startsWith("/")) {
      Path file = Path.of(path).normalize();
      for (Path p : named) {
        if (file.startsWith(p)) {
          return true;
        }
      }
      for (String resource : grantedResources.get()) {
        if (resource.startsWith("/") && file.startsWith(Path.of(resource).normalize())) {
          return true;
        }
      }
    }
    return pid > 0 && lesseePids.get().contains(pid);
  }

  /** Which leases are reported, for the service's status line. */
  public String describe() {
    return all
        ? "every file lease on the machine"
        : "file leases on "
            + (named.isEmpty() ? "" : named + " and on ")
            + "granted resources and their lessees";
  }
}
