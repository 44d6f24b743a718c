package io.valentia.chaos.journal;

import java.time.Instant;
import java.util.Optional;

/**
 * A chaos injector's process: host, pid and start time, so that a reused pid is not taken for the
 * injector that once had it.
 *
 * @param host the host name
 * @param pid the process id
 * @param start when the process started; null when the kernel does not say
 */
public record InjectorProcess(String host, long pid, Instant start) {

  /** This process. */
  public static InjectorProcess current() {
    ProcessHandle self = ProcessHandle.current();
    return new InjectorProcess(hostname(), self.pid(), self.info().startInstant().orElse(null));
  }

  /** Whether this is a process of this host that has ended (its faults are nobody's now). */
  public boolean endedOnThisHost() {
    if (!host.equals(hostname())) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    Optional<Instant> started = process.get().info().startInstant();
    return start != null && started.isPresent() && !started.get().equals(start);
  }

  /** This host's name, as injectors record it. */
  public static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
