package io.valentia.probes.mtu;

import io.valentia.probes.ProbesCliMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A probes command ({@code probe mtu ...}, {@code agent mtu-echo ...}) in its own JVM. */
final class CliProcess implements AutoCloseable {
  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final StringBuffer stderr = new StringBuffer();
  private final List<Thread> pumps = new ArrayList<>();

  private CliProcess(Process process) {
    this.process = process;
    pump(
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
        stdout::add);
    pump(
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
        l -> stderr.append(l).append('\n'));
  }

  /** Starts {@code valentia ARGS} inside network namespace {@code ns}, with no Kafka configured. */
  static CliProcess inNamespace(String ns, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", classPath()));
    command.add(ProbesCliMain.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(NetworkNamespaces.inside(ns, command));
    builder.environment().remove("VALENTIA_KAFKA_BOOTSTRAP");
    try {
      return new CliProcess(builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command + ": " + e, e);
    }
  }

  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  private void pump(BufferedReader reader, java.util.function.Consumer<String> sink) {
    Thread thread =
        new Thread(
            () -> {
              try (reader) {
                String line;
                while ((line = reader.readLine()) != null) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "cli-output");
    thread.setDaemon(true);
    thread.start();
    pumps.add(thread);
  }

  /** Lines printed on standard output so far. */
  List<String> stdout() {
    return List.copyOf(stdout);
  }

  String stderr() {
    return stderr.toString();
  }

  /** Waits for the process to end and returns its exit code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("still running after " + timeout + "; stderr: " + stderr);
    }
    for (Thread pump : pumps) {
      pump.join(5_000); // the last lines
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
