package io.valentia.probes.ceph;

import io.valentia.eventbus.ValentiaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a configured command (no shell) and returns its standard output. Blocking. */
final class CommandRunner {
  private CommandRunner() {}

  /**
   * @throws ValentiaException when it cannot start, runs longer than {@code timeout} (it is
   *     killed), or exits with a non-zero code (its standard error is in the message)
   */
  static String run(List<String> command, Duration timeout) {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new ValentiaException("cannot run " + command + ": " + e.getMessage(), e);
    }
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new ValentiaException(command + " ran longer than " + timeout + " and was killed");
      }
      if (process.exitValue() != 0) {
        String error = new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
        throw new ValentiaException(command + " exited with " + process.exitValue() + ": " + error);
      }
      return new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while running " + command, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new ValentiaException("cannot read the output of " + command + ": " + e, e);
    }
  }

  private static byte[] drain(InputStream stream) {
    try (stream) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      stream.transferTo(buffer);
      return buffer.toByteArray();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
