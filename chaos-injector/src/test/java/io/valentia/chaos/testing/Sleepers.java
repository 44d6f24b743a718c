package io.valentia.chaos.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Real child processes for faults to act on; every one is continued and killed at the end. */
public final class Sleepers implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();

  /**
   * Starts {@code sleep 300} and returns its pid once the process has executed {@code sleep} and is
   * asleep in it, so that a test reading its state sees {@code S} rather than a child still running
   * between fork and exec.
   */
  public long start() throws IOException {
    Process p = new ProcessBuilder("sleep", "300").start();
    processes.add(p);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!(command(p.pid()).equals("sleep") && state(p.pid()).equals("S"))) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "sleep "
                + p.pid()
                + " did not fall asleep: "
                + command(p.pid())
                + " "
                + state(p.pid()));
      }
      LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
    }
    return p.pid();
  }

  /** The command name of {@code /proc/PID/stat}, between its parentheses. */
  private static String command(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    } catch (IOException e) {
      return "gone";
    }
  }

  /** The state letter of {@code /proc/PID/stat}: {@code S} sleeping, {@code T} stopped. */
  public static String state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "gone";
    }
  }

  @Override
  public void close() throws Exception {
    for (Process p : processes) {
      new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
      p.destroyForcibly().waitFor();
    }
  }
}
