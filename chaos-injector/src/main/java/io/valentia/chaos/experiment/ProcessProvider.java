package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code process} provider of Chaos Toolkit (its {@code provider/process}): runs an executable
 * the allow-list permits, without a shell, as the configured user, with a scrubbed environment (see
 * {@link ProcessLauncher}), killed with its descendants at its timeout or the configured one. The
 * output is {@code {status, stdout, stderr}}; an action that exits non-zero fails (a probe does
 * not: its tolerance judges the status). Thread-safe.
 */
final class ProcessProvider {
  private final Supplier<ProviderPolicy> policy;
  private final ProcessLauncher launcher;

  /**
   * @param policy read at every call: the allow-list and default timeout in force
   * @param launcher builds the command (user, environment)
   */
  ProcessProvider(Supplier<ProviderPolicy> policy, ProcessLauncher launcher) {
    this.policy = policy;
    this.launcher = launcher;
  }

  /**
   * Runs {@code p} for {@code activity}.
   *
   * @param toleranceValue the value a tolerance probe judges, given as {@code
   *     CHAOS_TOLERANCE_VALUE}; null for an activity
   * @param events where a refusal is audited
   * @throws ActivityFailedException when it is refused, cannot start, times out, is stopped, or is
   *     an action that exits non-zero
   */
  JsonNode run(
      Provider.Process p, JsonNode toleranceValue, Activity activity, RunEventPublisher events) {
    String refusal = policy.get().allowList().executableRefusal(p.path());
    if (refusal != null) {
      events.auditRefusal("experiment.process", p.path(), activity.name(), refusal);
      throw new ActivityFailedException(refusal);
    }
    Duration timeout = p.timeout() != null ? p.timeout() : policy.get().timeout();
    Map<String, String> extra = new HashMap<>();
    if (toleranceValue != null) {
      extra.put(
          "CHAOS_TOLERANCE_VALUE",
          toleranceValue.isValueNode() ? toleranceValue.asText() : toleranceValue.toString());
    }
    ProcessBuilder builder =
        launcher.builder(Path.of(p.path()).normalize().toString(), p.arguments(), p.env(), extra);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ActivityFailedException("cannot run " + p.path() + ": " + e.getMessage());
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<String> out = readAll(process.getInputStream());
      CompletableFuture<String> err = readAll(process.getErrorStream());
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new ActivityFailedException(
            p.path() + " did not end within " + timeout.toMillis() / 1000.0 + " s and was killed");
      }
      ObjectNode output =
          EventCodec.MAPPER
              .createObjectNode()
              .put("status", process.exitValue())
              .put("stdout", out.join())
              .put("stderr", err.join());
      if (!activity.isProbe() && process.exitValue() != 0) {
        throw new ActivityFailedException(
            p.path() + " exited with " + process.exitValue() + ": " + err.join().strip());
      }
      return output;
    } catch (IOException e) {
      kill(process);
      throw new ActivityFailedException("cannot run " + p.path() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new ActivityFailedException(p.path() + " was killed: the run was stopped");
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static CompletableFuture<String> readAll(InputStream in) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                result.complete("");
              }
            },
            "valentia-process-output");
    t.setDaemon(true);
    t.start();
    return result;
  }
}
