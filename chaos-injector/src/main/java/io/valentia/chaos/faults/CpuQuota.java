package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code cpu-quota}: starves a cgroup (or one process, moved into a cgroup of its own) of CPU with
 * a CFS quota: cgroup v1 {@code cpu.cfs_quota_us} or cgroup v2 {@code cpu.max}. The previous quota
 * (or the process's own cgroup) is restored on revert.
 */
final class CpuQuota implements Fault {
  private final Path root;

  CpuQuota(Path root) {
    this.root = root;
  }

  @Override
  public String name() {
    return "cpu-quota";
  }

  @Override
  public String summary() {
    return "limit a cgroup, or one process, to a share of one CPU; args: cgroup or pid, percent"
        + " (1-100 of one CPU)";
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(Set.of("cgroup", "pid", "percent", "duration"));
    double percent = arguments.optionalNumber("percent", 50);
    if (!arguments.has("percent")) {
      arguments.problem("percent: required (share of one CPU, 1-100)");
    } else if (percent < 1 || percent > 100) {
      arguments.problem(
          "percent: must be between 1 and 100, found " + arguments.raw().get("percent"));
    }
    List<Target> targets = new ArrayList<>();
    if (arguments.has("cgroup") == arguments.has("pid")) {
      arguments.problem("name either cgroup or pid");
    } else if (arguments.has("cgroup")) {
      String cgroup = arguments.string("cgroup");
      if (cgroup.contains("..")) {
        arguments.problem("cgroup: must not contain ..");
      }
      targets.add(new Target("cgroup", strip(cgroup)));
    } else {
      targets.add(new Target("pid", Long.toString(arguments.integer("pid"))));
    }
    return targets;
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    return inject(arguments, duration, undo -> {});
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
      throws FaultException {
    Hierarchy hierarchy = hierarchy();
    double percent = arguments.optionalNumber("percent", 100);
    if (arguments.has("cgroup")) {
      Path dir = hierarchy.dir.resolve(strip(arguments.string("cgroup")));
      if (!Files.isDirectory(dir)) {
        throw new FaultException("no cgroup " + dir);
      }
      String previous = hierarchy.readQuota(dir);
      var undo = Undo.steps().add(Undo.cgroupQuota(dir, hierarchy.v2, previous));
      journal.record(undo);
      hierarchy.writeQuota(dir, percent);
      return () -> Undo.run(undo);
    }
    long pid = arguments.integer("pid");
    if (!ProcessFaults.alive(pid)) {
      throw new FaultException("no process has pid " + pid);
    }
    Path original = hierarchy.dir.resolve(strip(hierarchy.cgroupOf(pid)));
    // named for the target and the injector, so a later start can find what a killed injector left
    Path dir =
        hierarchy.dir.resolve(
            "valentia-chaos-"
                + pid
                + "-"
                + System.nanoTime()
                + "-"
                + ProcessHandle.current().pid());
    var undo = Undo.steps().add(Undo.cgroupMove(pid, original, dir));
    journal.record(undo);
    try {
      Files.createDirectory(dir);
      hierarchy.writeQuota(dir, percent);
      Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
    } catch (IOException | FaultException e) {
      removeQuietly(dir);
      throw e instanceof FaultException f
          ? f
          : new FaultException("cannot create " + dir + ": " + e, e);
    }
    return () -> Undo.run(undo);
  }

  private static String strip(String cgroup) {
    String s = cgroup;
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    return s;
  }

  private static void removeQuietly(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a cgroup with processes left cannot be removed; they will be moved back first
    }
  }

  /** The cpu controller's hierarchy: v1 ({@code ROOT/cpu}) if mounted, else v2 ({@code ROOT}). */
  Hierarchy hierarchy() throws FaultException {
    Path v1 = root.resolve("cpu");
    if (Files.exists(v1.resolve("cpu.cfs_quota_us"))) {
      return new Hierarchy(v1, false);
    }
    try {
      Path controllers = root.resolve("cgroup.controllers");
      if (Files.exists(controllers) && Files.readString(controllers).contains("cpu")) {
        return new Hierarchy(root, true);
      }
    } catch (IOException e) {
      // reported below
    }
    throw new FaultException(
        "no cpu controller under " + root + " (neither cgroup v1 cpu.cfs_quota_us nor v2 cpu.max)");
  }

  /** One cpu hierarchy. */
  record Hierarchy(Path dir, boolean v2) {
    String readQuota(Path cgroup) throws FaultException {
      try {
        return v2
            ? Files.readString(cgroup.resolve("cpu.max")).strip()
            : Files.readString(cgroup.resolve("cpu.cfs_quota_us")).strip()
                + " "
                + Files.readString(cgroup.resolve("cpu.cfs_period_us")).strip();
      } catch (IOException e) {
        throw new FaultException("cannot read the CPU quota of " + cgroup + ": " + e, e);
      }
    }

    void writeQuota(Path cgroup, double percent) throws FaultException {
      long period = 100_000;
      long quota = Math.max(1000, Math.round(period * percent / 100));
      try {
        if (v2) {
          Files.writeString(cgroup.resolve("cpu.max"), quota + " " + period);
        } else {
          Files.writeString(cgroup.resolve("cpu.cfs_period_us"), Long.toString(period));
          Files.writeString(cgroup.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        }
      } catch (IOException e) {
        throw new FaultException("cannot set the CPU quota of " + cgroup + ": " + e, e);
      }
    }

    void restoreQuota(Path cgroup, String previous) throws FaultException {
      try {
        if (v2) {
          Files.writeString(cgroup.resolve("cpu.max"), previous);
        } else {
          String[] parts = previous.split(" ");
          Files.writeString(cgroup.resolve("cpu.cfs_quota_us"), parts[0]);
          Files.writeString(cgroup.resolve("cpu.cfs_period_us"), parts[1]);
        }
      } catch (IOException e) {
        if (Files.isDirectory(cgroup)) {
          throw new FaultException("cannot restore the CPU quota of " + cgroup + ": " + e, e);
        }
      }
    }

    /** The cgroup path of {@code pid} in this hierarchy, from {@code /proc/PID/cgroup}. */
    String cgroupOf(long pid) throws FaultException {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
          String[] parts = line.split(":", 3);
          if (parts.length < 3) {
            continue;
          }
          boolean match =
              v2
                  ? parts[0].equals("0") && parts[1].isEmpty()
                  : List.of(parts[1].split(",")).contains("cpu");
          if (match) {
            return parts[2];
          }
        }
      } catch (IOException e) {
        throw new FaultException("cannot read the cgroup of pid " + pid + ": " + e, e);
      }
      throw new FaultException("pid " + pid + " is in no cpu cgroup");
    }
  }
}
