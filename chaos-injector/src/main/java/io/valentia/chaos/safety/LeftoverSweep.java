package io.valentia.chaos.safety;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds faults that an injector which is no longer running left behind (it was killed before it
 * could revert them) and reverts them: memory-hog files in {@code /dev/shm} and CPU-quota cgroups
 * ({@code valentia-chaos-PID-*}), whose processes are moved back to the parent cgroup. A leftover
 * belongs to a dead injector when the injector pid in its name is gone. Safe to run at every start.
 */
public final class LeftoverSweep {
  private static final Pattern MEMORY = Pattern.compile("valentia-memory-hog-(\\d+)-\\d+");
  private static final Pattern CGROUP = Pattern.compile("valentia-chaos-\\d+-\\d+-(\\d+)");

  private final Path shm;
  private final Path cgroupRoot;

  public LeftoverSweep(Path shm, Path cgroupRoot) {
    this.shm = shm;
    this.cgroupRoot = cgroupRoot;
  }

  /** This machine's locations. */
  public static LeftoverSweep standard() {
    return new LeftoverSweep(Path.of("/dev/shm"), Path.of("/sys/fs/cgroup"));
  }

  /** Reverts what dead injectors left; returns a line per leftover reverted. */
  public List<String> sweep() {
    List<String> reverted = new ArrayList<>();
    for (Path file : list(shm)) {
      Matcher m = MEMORY.matcher(file.getFileName().toString());
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        try {
          Files.deleteIfExists(file);
          reverted.add("memory-hog " + file);
        } catch (IOException e) {
          // left for the next start
        }
      }
    }
    for (Path hierarchy : List.of(cgroupRoot.resolve("cpu"), cgroupRoot)) {
      for (Path dir : list(hierarchy)) {
        Matcher m = CGROUP.matcher(dir.getFileName().toString());
        if (!m.matches() || alive(Long.parseLong(m.group(1)))) {
          continue;
        }
        try {
          for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
            if (!pid.isBlank()) {
              Files.writeString(hierarchy.resolve("cgroup.procs"), pid.strip());
            }
          }
          Files.delete(dir);
          reverted.add("cpu-quota " + dir);
        } catch (IOException e) {
          // left for the next start
        }
      }
    }
    return reverted;
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static boolean alive(long pid) {
    return Files.exists(Path.of("/proc", Long.toString(pid)));
  }
}
