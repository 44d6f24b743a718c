package io.valentia.chaos.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    await()
        .alias("sleep " + p.pid() + " falls asleep")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> stat(p.pid()), "(sleep) S"::equals);
    return p.pid();
  }

  /** The state letter of {@code /proc/PID/stat}: {@code S} sleeping, {@code T} stopped. */
  public static String state(long pid) {
    String stat = stat(pid);
    return stat.equals("gone") ? stat : stat.substring(stat.length() - 1);
  }

  /**
   * The command name in parentheses and the state letter of {@code /proc/PID/stat}, such as {@code
   * (sleep) S}, or {@code gone} once the process has been reaped.
   */
  private static String stat(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.indexOf('('), stat.lastIndexOf(')') + 3);
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
