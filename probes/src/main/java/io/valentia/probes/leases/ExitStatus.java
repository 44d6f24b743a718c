package io.valentia.probes.leases;

/**
 * How a watched lessee process ended, and what that means for its lease: a process that called
 * {@code exit} (any status) exited; a process ended by a signal (including {@code SIGTERM}: a
 * lessee that means to exit on it handles it and exits) crashed. When the status could not be seen
 * (the process was reaped before it could be read, and the kernel's process events were not
 * available), the lease ends as an exit with the detail saying so.
 *
 * @param exitCode the status given to {@code exit}; null when killed by a signal or unknown
 * @param signal the signal that ended it; null when it exited or when unknown
 */
public record ExitStatus(Integer exitCode, Integer signal) {
  /** The status could not be seen. */
  public static final ExitStatus UNKNOWN = new ExitStatus(null, null);

  /** From a wait status as {@code waitpid(2)} (and the kernel's exit events) report it. */
  public static ExitStatus fromWaitStatus(long status) {
    int termSignal = (int) (status & 0x7f);
    return termSignal == 0
        ? new ExitStatus((int) ((status >> 8) & 0xff), null)
        : new ExitStatus(null, termSignal);
  }

  /** {@code lessee-crash} when a signal ended it, else {@code lessee-exit}. */
  public String reason() {
    return signal != null ? "lessee-crash" : "lessee-exit";
  }

  /** For people: {@code exit status 0}, {@code killed by signal 9 (SIGKILL)}. */
  public String detail() {
    if (signal != null) {
      return "killed by signal " + signal + signalName(signal);
    }
    if (exitCode != null) {
      return "exit status " + exitCode;
    }
    return "ended; exit status not seen";
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 1 -> " (SIGHUP)";
      case 2 -> " (SIGINT)";
      case 3 -> " (SIGQUIT)";
      case 4 -> " (SIGILL)";
      case 6 -> " (SIGABRT)";
      case 7 -> " (SIGBUS)";
      case 8 -> " (SIGFPE)";
      case 9 -> " (SIGKILL)";
      case 11 -> " (SIGSEGV)";
      case 13 -> " (SIGPIPE)";
      case 15 -> " (SIGTERM)";
      default -> "";
    };
  }
}
