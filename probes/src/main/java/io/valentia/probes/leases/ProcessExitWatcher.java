package io.valentia.probes.leases;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches processes by pid until they end, and tells how they ended ({@link ExitStatus}), also for
 * processes that are not our children. Two sources, best first:
 *
 * <ol>
 *   <li>the kernel's process events connector (netlink {@code CN_IDX_PROC}), which reports every
 *       process exit with its wait status; Java cannot open a netlink socket, so a small {@code
 *       python3} helper listens and prints one line per exit (needs root or {@code CAP_NET_ADMIN});
 *   <li>polling {@code /proc/PID/stat} every 100 ms: a zombie shows its wait status in field 52
 *       ({@code exit_code}) until its parent reaps it; a process reaped before a poll saw it ends
 *       with {@link ExitStatus#UNKNOWN}.
 * </ol>
 *
 * A pid reused by a new process is told apart by its start time (field 22). Thread-safe; {@link
 * #close()} stops the helper and the poller.
 */
public final class ProcessExitWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessExitWatcher.class);
  private static final long POLL_MS = 100;
  private static final long GONE_GRACE_MS = 1000;
  private static final long REMEMBER_EXITS_MS = 10_000;

  private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
  private final Map<Long, SeenExit> recentExits = new ConcurrentHashMap<>();
  private final Process helper;
  private final Thread poller;
  private volatile boolean closed;

  private record Watched(CompletableFuture<ExitStatus> exit, String startTime, long[] goneSince) {}

  private record SeenExit(ExitStatus status, long atMillis) {}

  /**
   * Starts watching; blocks up to 5 s while the kernel-events helper starts (call it off an event
   * loop).
   *
   * @param kernelEvents whether to try the kernel's process events (else poll only)
   */
  public ProcessExitWatcher(boolean kernelEvents) {
    this.helper = kernelEvents ? startHelper() : null;
    this.poller = new Thread(this::poll, "valentia-lessee-exits");
    poller.setDaemon(true);
    poller.start();
  }

  /** {@code kernel process events} or {@code polling /proc}, for health and logs. */
  public String mode() {
    return helper != null && helper.isAlive() ? "kernel process events" : "polling /proc";
  }

  /**
   * Watches {@code pid}.
   *
   * @return completes with how it ended; never fails
   * @throws IllegalArgumentException when no process has that pid
   */
  public CompletableFuture<ExitStatus> watch(long pid) {
    String startTime = startTime(pid);
    if (startTime == null) {
      throw new IllegalArgumentException("no process " + pid + " is running");
    }
    Watched existing = watched.get(pid);
    if (existing != null && existing.startTime().equals(startTime)) {
      return existing.exit();
    }
    Watched w = new Watched(new CompletableFuture<>(), startTime, new long[] {0});
    watched.put(pid, w);
    return w.exit();
  }

  private void poll() {
    while (!closed) {
      long now = System.currentTimeMillis();
      recentExits.values().removeIf(e -> now - e.atMillis() > REMEMBER_EXITS_MS);
      for (Map.Entry<Long, Watched> entry : watched.entrySet()) {
        check(entry.getKey(), entry.getValue(), now);
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void check(long pid, Watched w, long now) {
    SeenExit seen = recentExits.get(pid);
    String[] stat = stat(pid);
    boolean same = stat != null && stat.length > 19 && stat[19].equals(w.startTime());
    if (same && "Z".equals(stat[0]) && stat.length > 49) {
      complete(pid, w, ExitStatus.fromWaitStatus(Long.parseLong(stat[49])));
      return;
    }
    if (same) {
      return;
    }
    if (seen != null) {
      complete(pid, w, seen.status());
    } else if (w.goneSince()[0] == 0) {
      w.goneSince()[0] = now; // give the kernel event a moment to arrive
    } else if (now - w.goneSince()[0] > (mode().startsWith("kernel") ? GONE_GRACE_MS : 0)) {
      complete(pid, w, ExitStatus.UNKNOWN);
    }
  }

  private void complete(long pid, Watched w, ExitStatus status) {
    watched.remove(pid, w);
    w.exit().complete(status);
  }

  /** The fields of /proc/PID/stat after the command name (state first); null when gone. */
  private static String[] stat(long pid) {
    try {
      String text = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      int close = text.lastIndexOf(')');
      return text.substring(close + 2).trim().split(" ");
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String startTime(long pid) {
    String[] stat = stat(pid);
    return stat != null && stat.length > 19 && !"Z".equals(stat[0]) ? stat[19] : null;
  }

  private Process startHelper() {
    String script;
    try (InputStream in = ProcessExitWatcher.class.getResourceAsStream("proc_exit_events.py")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      LOG.warn("process events helper missing from the jar; polling /proc instead");
      return null;
    }
    Process process;
    try {
      process =
          new ProcessBuilder("python3", "-u", "-c", script)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      LOG.info("no python3 for the kernel's process events ({}); polling /proc", e.getMessage());
      return null;
    }
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = lines.readLine()) != null) {
                  if (line.equals("ready")) {
                    ready.complete(true);
                  } else {
                    exited(line);
                  }
                }
              } catch (IOException e) {
                // the helper ended
              }
              ready.complete(false);
            },
            "valentia-process-events");
    reader.setDaemon(true);
    reader.start();
    try {
      if (ready.get(5, TimeUnit.SECONDS)) {
        return process;
      }
    } catch (Exception e) {
      // not ready in time
    }
    process.destroy();
    LOG.info("the kernel's process events are not available (needs root); polling /proc");
    return null;
  }

  private void exited(String line) {
    String[] parts = line.split(" ");
    if (parts.length != 2) {
      return;
    }
    try {
      long pid = Long.parseLong(parts[0]);
      ExitStatus status = ExitStatus.fromWaitStatus(Long.parseLong(parts[1]));
      recentExits.put(pid, new SeenExit(status, System.currentTimeMillis()));
      Watched w = watched.get(pid);
      if (w != null) {
        complete(pid, w, status);
      }
    } catch (NumberFormatException e) {
      // not a line of ours
    }
  }

  @Override
  public void close() {
    closed = true;
    poller.interrupt();
    if (helper != null) {
      helper.destroy();
    }
  }
}
