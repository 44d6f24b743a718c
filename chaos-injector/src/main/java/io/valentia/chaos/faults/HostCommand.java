package io.valentia.chaos.faults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command of this machine ({@code ip}, {@code nft}, {@code kill}) and captures its output.
 */
public final class HostCommand {
  private static final java.util.concurrent.ExecutorService DRAINS =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "valentia-command-output");
            t.setDaemon(true);
            return t;
          });

  private HostCommand() {}

  /**
   * What a command did.
   *
   * @param exitCode the exit code; -1 when it timed out and was killed
   */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** stderr, else stdout, trimmed: what to show when it failed. */
    public String message() {
      String text = stderr.isBlank() ? stdout : stderr;
      return text.strip();
    }
  }

  /** Runs {@code argv} with {@code stdin} (null for none), waiting up to {@code timeout}. */
  public static Result run(List<String> argv, String stdin, Duration timeout)
      throws FaultException {
    Process process;
    try {
      process = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new FaultException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try {
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(-1, out.getNow(""), "timed out after " + timeout.toMillis() + " ms");
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      process.destroyForcibly();
      throw new FaultException("cannot talk to " + argv.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new FaultException("interrupted while running " + argv.get(0), e);
    }
  }

  /** Runs {@code argv} and fails with its message unless it exits 0. */
  public static String require(List<String> argv) throws FaultException {
    Result result = run(argv, null, Duration.ofSeconds(10));
    if (!result.ok()) {
      throw new FaultException(String.join(" ", argv) + " failed: " + result.message());
    }
    return result.stdout();
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        DRAINS);
  }
}
