package io.valentia.probes.frames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Moves a thread of this JVM into the {@code SCHED_FIFO} real-time class with {@code chrt}, when
 * the system permits it (root or {@code CAP_SYS_NICE}, a {@code chrt} on the path). Java cannot
 * name a thread's kernel id, so the thread is found by its name in {@code /proc/self/task/*} {@code
 * /comm} (the first 15 characters): give it a unique one.
 */
public final class RealtimeScheduling {
  /** The priority asked for: above normal threads, below the kernel's own real-time threads. */
  public static final int PRIORITY = 10;

  private RealtimeScheduling() {}

  /**
   * Tries to make the named thread real-time; blocks for up to a few seconds (never call it on an
   * event loop).
   *
   * @return what happened, for people: {@code SCHED_FIFO 10} or why not
   */
  public static String apply(String threadName) {
    String comm = threadName.length() > 15 ? threadName.substring(0, 15) : threadName;
    Long tid = findThread(comm);
    if (tid == null) {
      return "normal (thread " + comm + " not found in /proc/self/task)";
    }
    try {
      Process chrt =
          new ProcessBuilder("chrt", "-f", "-p", String.valueOf(PRIORITY), String.valueOf(tid))
              .redirectErrorStream(true)
              .start();
      String output = new String(chrt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!chrt.waitFor(5, TimeUnit.SECONDS)) {
        chrt.destroyForcibly();
        return "normal (chrt did not answer)";
      }
      return chrt.exitValue() == 0
          ? "SCHED_FIFO " + PRIORITY
          : "normal (chrt: " + output.strip().replaceAll("\\s+", " ") + ")";
    } catch (IOException e) {
      return "normal (no chrt: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "normal (interrupted)";
    }
  }

  private static Long findThread(String comm) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
            return Long.parseLong(task.getFileName().toString());
          }
        } catch (IOException | NumberFormatException e) {
          // the thread ended while we looked
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }
}
