package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Substitution;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code syscall-inject}: system call faults with {@code strace -f -e inject=...}. Either runs a
 * {@code command} under strace (the command is killed when the duration ends, if it still runs) or
 * attaches to a running, allow-listed {@code pid} (strace detaches when the duration ends and the
 * process runs on untouched). Each matching call either fails with {@code error} (an errno name
 * such as {@code EACCES}, or its number) or is held for {@code delay} on entry; {@code when} picks
 * which calls ({@code 3}, {@code 3+}, {@code 2..5}, {@code 1+2}: strace's syntax) and {@code paths}
 * limits the fault to calls that touch those files ({@code strace -P}).
 */
final class SyscallInject implements Fault {
  private static final Pattern WHEN =
      Pattern.compile("[1-9][0-9]{0,5}(\\.\\.[1-9][0-9]{0,5})?(\\+[0-9]{0,5})?");
  private static final Pattern ERRNO = Pattern.compile("E[A-Z0-9]{1,20}");
  private static final Set<String> ERRNOS =
      Set.of(
          "EPERM",
          "ENOENT",
          "ESRCH",
          "EINTR",
          "EIO",
          "ENXIO",
          "E2BIG",
          "ENOEXEC",
          "EBADF",
          "ECHILD",
          "EAGAIN",
          "EWOULDBLOCK",
          "ENOMEM",
          "EACCES",
          "EFAULT",
          "ENOTBLK",
          "EBUSY",
          "EEXIST",
          "EXDEV",
          "ENODEV",
          "ENOTDIR",
          "EISDIR",
          "EINVAL",
          "ENFILE",
          "EMFILE",
          "ENOTTY",
          "ETXTBSY",
          "EFBIG",
          "ENOSPC",
          "ESPIPE",
          "EROFS",
          "EMLINK",
          "EPIPE",
          "EDOM",
          "ERANGE",
          "EDEADLK",
          "ENAMETOOLONG",
          "ENOLCK",
          "ENOSYS",
          "ENOTEMPTY",
          "ELOOP",
          "ENOMSG",
          "EIDRM",
          "ENOSTR",
          "ENODATA",
          "ETIME",
          "ENOSR",
          "ENOLINK",
          "EPROTO",
          "EBADMSG",
          "EOVERFLOW",
          "EILSEQ",
          "EUSERS",
          "ENOTSOCK",
          "EDESTADDRREQ",
          "EMSGSIZE",
          "EPROTOTYPE",
          "ENOPROTOOPT",
          "EPROTONOSUPPORT",
          "ESOCKTNOSUPPORT",
          "EOPNOTSUPP",
          "EAFNOSUPPORT",
          "EADDRINUSE",
          "EADDRNOTAVAIL",
          "ENETDOWN",
          "ENETUNREACH",
          "ENETRESET",
          "ECONNABORTED",
          "ECONNRESET",
          "ENOBUFS",
          "EISCONN",
          "ENOTCONN",
          "ESHUTDOWN",
          "ETIMEDOUT",
          "ECONNREFUSED",
          "EHOSTDOWN",
          "EHOSTUNREACH",
          "EALREADY",
          "EINPROGRESS",
          "ESTALE",
          "EDQUOT",
          "ECANCELED",
          "EOWNERDEAD",
          "ENOTRECOVERABLE",
          "EREMOTEIO",
          "ENOMEDIUM",
          "EMEDIUMTYPE",
          "ENOKEY");

  /** How long a just-started strace is watched for failing at once (bad attach, bad command). */
  private static final Duration STARTUP = Duration.ofMillis(400);

  @Override
  public String name() {
    return "syscall-inject";
  }

  @Override
  public String summary() {
    return "fail (error: EACCES, ENOSPC, ...) or delay (delay) system calls with strace; args:"
        + " syscall (name or list), error or delay, when (optional, e.g. 3+), paths (optional),"
        + " and command (list) or pid";
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(
        Set.of("syscall", "error", "delay", "when", "paths", "command", "pid", "duration"));
    List<String> syscalls = arguments.strings("syscall");
    if (syscalls.isEmpty()) {
      arguments.problem("syscall: required (a system call name such as openat, or a list)");
    }
    for (String syscall : syscalls) {
      if (!placeholder(syscall) && !SeccompProfile.isSyscall(syscall)) {
        arguments.problem("syscall: unknown x86_64 system call " + syscall);
      }
    }
    boolean hasError = arguments.has("error");
    boolean hasDelay = arguments.has("delay");
    if (hasError == hasDelay) {
      arguments.problem("error or delay: give exactly one (an errno such as EACCES, or 200ms)");
    }
    if (hasError) {
      String error = arguments.string("error");
      if (!placeholder(error) && errno(error) == null) {
        arguments.problem("error: not an errno name (EACCES, ENOSPC, EIO...) or 1..4095: " + error);
      }
    }
    if (hasDelay) {
      arguments.duration("delay");
    }
    if (arguments.has("when")) {
      String when = arguments.string("when");
      if (!placeholder(when) && !WHEN.matcher(when).matches()) {
        arguments.problem(
            "when: must be N, N+, N+STEP, N..M or N..M+STEP (counting calls from 1): " + when);
      }
    }
    arguments.strings("paths");
    boolean hasPid = arguments.has("pid");
    List<String> command = arguments.strings("command");
    if (hasPid == !command.isEmpty()) {
      arguments.problem("command or pid: give exactly one (the program to run, or who to attach)");
    }
    if (hasPid) {
      long pid = arguments.integer("pid");
      return List.of(new Target("pid", Long.toString(pid)));
    }
    return List.of(new Target("host", "localhost"));
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    return inject(arguments, duration, undo -> {});
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
      throws FaultException {
    List<String> argv = new ArrayList<>(List.of("strace", "-f", "-qq", "-o", "/dev/null"));
    for (String path : arguments.strings("paths")) {
      argv.add("-P");
      argv.add(path);
    }
    argv.add("-e");
    argv.add("inject=" + injection(arguments));
    boolean attach = arguments.has("pid");
    long pid = attach ? arguments.integer("pid") : -1;
    if (attach) {
      requireAttachable(pid);
      argv.add("-p");
      argv.add(Long.toString(pid));
    } else {
      argv.add("--");
      argv.addAll(arguments.strings("command"));
    }
    Path diagnostics;
    try {
      diagnostics = Files.createTempFile("valentia-strace-", ".log");
    } catch (IOException e) {
      throw new FaultException("cannot create a file for strace's messages: " + e.getMessage(), e);
    }
    // strace (and a command it runs) carries a mark, so that after a crash of the injector the
    // next one finds and stops it: an attached strace would otherwise inject errors for ever
    String mark = "syscall-inject-" + java.util.UUID.randomUUID();
    try {
      journal.record(Undo.steps().add(Undo.signalMarked(mark, "TERM")));
    } catch (FaultException e) {
      deleteQuietly(diagnostics);
      throw e;
    }
    Process strace;
    try {
      ProcessBuilder builder =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(diagnostics.toFile());
      builder.environment().put(Undo.MARK_VARIABLE, mark);
      strace = builder.start();
    } catch (IOException e) {
      deleteQuietly(diagnostics);
      throw new FaultException(
          "cannot run strace (install the strace package): " + e.getMessage(), e);
    }
    String failure = failedAtStart(strace, diagnostics, attach);
    if (failure != null) {
      stop(strace, attach);
      deleteQuietly(diagnostics);
      throw new FaultException("syscall-inject: strace failed: " + failure);
    }
    return () -> {
      stop(strace, attach);
      deleteQuietly(diagnostics);
    };
  }

  /** The {@code inject=} expression: {@code SYSCALLS:error=E|delay_enter=Nus[:when=W]}. */
  static String injection(Arguments arguments) {
    StringBuilder spec = new StringBuilder(String.join(",", arguments.strings("syscall")));
    if (arguments.has("error")) {
      spec.append(":error=").append(errno(arguments.string("error")));
    } else {
      spec.append(":delay_enter=")
          .append(TimeUnit.NANOSECONDS.toMicros(arguments.duration("delay").toNanos()))
          .append("us");
    }
    if (arguments.has("when")) {
      spec.append(":when=").append(arguments.string("when"));
    }
    return spec.toString();
  }

  /** The errno as strace takes it (upper-case name or number); null when it is not one. */
  static String errno(String value) {
    String upper = value.strip().toUpperCase(Locale.ROOT);
    if (ERRNO.matcher(upper).matches()) {
      return ERRNOS.contains(upper) ? upper : null;
    }
    try {
      int number = Integer.parseInt(upper);
      return number >= 1 && number <= 4095 ? Integer.toString(number) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void requireAttachable(long pid) throws FaultException {
    if (pid <= 1) {
      throw new FaultException("pid " + pid + " is not a process Valentia will touch");
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new FaultException("pid " + pid + " is the injector itself");
    }
    if (!ProcessFaults.alive(pid)) {
      throw new FaultException("no process has pid " + pid);
    }
  }

  /**
   * Why strace stopped right after it started; null when it runs (or, for a command, when the
   * command itself ended: that is the fault working).
   */
  private static String failedAtStart(Process strace, Path diagnostics, boolean attach)
      throws FaultException {
    try {
      if (!strace.waitFor(STARTUP.toMillis(), TimeUnit.MILLISECONDS)) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(strace, attach);
      throw new FaultException("interrupted while starting strace", e);
    }
    List<String> own = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(diagnostics, StandardCharsets.UTF_8)) {
        if (line.startsWith("strace: ")) {
          own.add(line.substring("strace: ".length()));
        }
      }
    } catch (IOException e) {
      own.add("exit code " + strace.exitValue());
    }
    if (attach) {
      return own.isEmpty() ? "it exited with code " + strace.exitValue() : String.join("; ", own);
    }
    return own.isEmpty() ? null : String.join("; ", own);
  }

  /**
   * Ends the fault: an attached strace is asked to detach (SIGTERM), leaving the process running; a
   * command started under strace is killed with everything it started.
   */
  private static void stop(Process strace, boolean attach) {
    if (!attach) {
      strace.descendants().forEach(ProcessHandle::destroyForcibly);
      strace.destroyForcibly();
      return;
    }
    strace.destroy();
    try {
      if (!strace.waitFor(5, TimeUnit.SECONDS)) {
        strace.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      strace.destroyForcibly();
    }
  }

  private static boolean placeholder(String value) {
    return Substitution.hasPlaceholder(value);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // nothing more to do
    }
  }
}
