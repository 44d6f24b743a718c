package io.valentia.chaos.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real child processes for faults to act on; every one is continued and killed at the end. */
public final class Sleepers implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();

  /** Starts {@code sleep 300} and returns its pid. */
  public long start() throws IOException {
    Process p = new ProcessBuilder("sleep", "300").start();
    processes.add(p);
    return p.pid();
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
