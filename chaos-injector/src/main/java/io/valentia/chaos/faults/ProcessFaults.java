package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Substitution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Faults on processes: pause (SIGSTOP, then SIGCONT) and kill. */
final class ProcessFaults {
  private ProcessFaults() {}

  /** {@code process-pause}: stops a process with SIGSTOP and continues it with SIGCONT. */
  static final class Pause implements Fault {
    @Override
    public String name() {
      return "process-pause";
    }

    @Override
    public String summary() {
      return "stop a process (SIGSTOP) for the duration, then continue it (SIGCONT); args: pid";
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("pid", "duration"));
      long pid = arguments.integer("pid");
      return List.of(new Target("pid", Long.toString(pid)));
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) throws FaultException {
      return inject(arguments, duration, undo -> {});
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
        throws FaultException {
      long pid = arguments.integer("pid");
      requireAlive(pid);
      var undo = Undo.steps().add(Undo.signal(pid, "CONT"));
      journal.record(undo);
      signal(pid, "STOP");
      return () -> Undo.run(undo);
    }
  }

  /** {@code process-kill}: sends a signal (KILL by default); it cannot be undone. */
  static final class Kill implements Fault {
    private static final Set<String> SIGNALS = Set.of("KILL", "TERM", "INT", "HUP", "QUIT", "ABRT");

    @Override
    public String name() {
      return "process-kill";
    }

    @Override
    public String summary() {
      return "send a signal (KILL, TERM, INT, HUP, QUIT, ABRT; default KILL) to a process; args: pid,"
          + " signal; cannot be undone: restart it in a rollback";
    }

    @Override
    public boolean durationOptional() {
      return true;
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("pid", "signal", "duration"));
      long pid = arguments.integer("pid");
      String signal = arguments.optionalString("signal", "KILL").toUpperCase(java.util.Locale.ROOT);
      if (signal.startsWith("SIG")) {
        signal = signal.substring(3);
      }
      if (!SIGNALS.contains(signal) && !Substitution.hasPlaceholder(signal)) {
        arguments.problem("signal: must be one of " + SIGNALS.stream().sorted().toList());
      }
      return List.of(new Target("pid", Long.toString(pid)));
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) throws FaultException {
      long pid = arguments.integer("pid");
      String signal = arguments.optionalString("signal", "KILL").toUpperCase(java.util.Locale.ROOT);
      requireAlive(pid);
      signal(pid, signal.startsWith("SIG") ? signal.substring(3) : signal);
      return () -> {};
    }
  }

  static boolean alive(long pid) {
    return Files.exists(Path.of("/proc", Long.toString(pid)));
  }

  /**
   * The state letter of {@code /proc/PID/stat} ({@code R}, {@code S}, {@code T}...); empty when
   * gone.
   */
  static String state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void requireAlive(long pid) throws FaultException {
    if (pid <= 1) {
      throw new FaultException("pid " + pid + " is not a process Valentia will touch");
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new FaultException("pid " + pid + " is the injector itself");
    }
    if (!alive(pid)) {
      throw new FaultException("no process has pid " + pid);
    }
  }

  private static void signal(long pid, String signal) throws FaultException {
    HostCommand.require(List.of("kill", "-" + signal, Long.toString(pid)));
  }
}
