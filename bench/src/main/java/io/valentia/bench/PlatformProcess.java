package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform as a child process, started the way the {@code valentia} command starts it: {@code
 * java [-XX:SharedArchiveFile=app/target/valentia.jsa] [JAVA_OPTS] -jar app/target/valentia.jar up
 * --data DIR --http-port P --kafka-port K}, every role and the embedded broker, standard output and
 * error appended to a log file. Like the command, it uses the class-data sharing archive when there
 * is one and otherwise has the JVM write it at exit ({@code -XX:ArchiveClassesAtExit}), so the
 * first start after a build writes it and later starts use it. Not thread-safe.
 */
final class PlatformProcess implements AutoCloseable {
  private static final Pattern UP = Pattern.compile("Valentia is up in (\\d+) ms");
  private static final Pattern EXCEPTION = Pattern.compile("^[\\w.$]+(Exception|Error): ");

  /**
   * How to start the platform.
   *
   * @param root the repository root (holds {@code app/target/valentia.jar})
   * @param javaOptions options for the platform's JVM, like {@code JAVA_OPTS}
   * @param classDataSharing whether to use (or write) {@code app/target/valentia.jsa}
   * @param adminToken given as {@code VALENTIA_ADMIN_TOKEN}
   */
  record Launch(Path root, List<String> javaOptions, boolean classDataSharing, String adminToken) {
    Path jar() {
      return root.resolve("app/target/valentia.jar");
    }

    Path archive() {
      return root.resolve("app/target/valentia.jsa");
    }
  }

  /** One answer of {@code GET /health}: its HTTP status and body. */
  record HealthAnswer(int httpStatus, JsonNode body) {
    String status() {
      return body.path("status").asText("?");
    }

    /** The detail lines of {@code check}; empty when it is not raised. */
    List<String> detail(String check) {
      List<String> lines = new ArrayList<>();
      body.path("checks").path(check).path("detail").forEach(l -> lines.add(l.asText()));
      return lines;
    }

    /** The records Kafka holds on {@code topic}, or -1 when /health does not say. */
    long records(String topic) {
      return body.path("kafka").path("topics").path(topic).path("records").asLong(-1);
    }
  }

  /**
   * What a start looked like from outside, every time from the moment the process was started.
   *
   * @param firstAnswerMillis the first {@code /health} answer (any status), or -1 for none
   * @param okMillis the first {@code HEALTH_OK} answer, or -1 when none came in time
   * @param upMillis the platform's own "Valentia is up in N ms" figure, or -1 when not printed
   * @param restoring per state topic named in a {@code STATE_RESTORING} detail line, what was seen
   *     of it
   * @param lastStatus the last status answered (for a start that never reached {@code HEALTH_OK})
   * @param lastChecks the checks raised in the last answer
   * @param ended null while the process runs; else its exit code and the last exception line it
   *     logged (e.g. a service that did not start in time)
   */
  record Start(
      long firstAnswerMillis,
      long okMillis,
      long upMillis,
      Map<String, RestoreSeen> restoring,
      String lastStatus,
      List<String> lastChecks,
      String ended) {}

  /**
   * One state topic's {@code STATE_RESTORING} detail lines as polled.
   *
   * @param firstMillis when its first line was seen (from the process start)
   * @param lastMillis when its last line was seen
   * @param firstLine the first line seen
   * @param lastLine the last line seen
   */
  record RestoreSeen(long firstMillis, long lastMillis, String firstLine, String lastLine) {}

  private final Process process;
  private final long startedNanos;
  private final Path log;
  private final long logOffset;
  private final URI health;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread reaper;

  private PlatformProcess(Process process, long startedNanos, Path log, long logOffset, URI web) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.log = log;
    this.logOffset = logOffset;
    this.health = web.resolve("/health");
    this.reaper = new Thread(process::destroyForcibly, "platform-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts the platform on {@code data}; returns at once (the process is still starting). */
  static PlatformProcess start(Launch launch, Path data, Path log, int httpPort, int kafkaPort)
      throws IOException {
    return start(launch, data, log, httpPort, kafkaPort, List.of());
  }

  /**
   * Starts the platform on {@code data} with more arguments for {@code up} (such as {@code --config
   * FILE}); returns at once (the process is still starting).
   */
  static PlatformProcess start(
      Launch launch, Path data, Path log, int httpPort, int kafkaPort, List<String> upArguments)
      throws IOException {
    if (!Files.isRegularFile(launch.jar())) {
      throw new IllegalStateException(
          launch.jar() + " is missing: build it first (mvn -pl app,bench -am package -DskipTests)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (launch.classDataSharing()) {
      // as the valentia command does: an archive is valid only for the jar it was written with
      if (Files.isRegularFile(launch.archive())
          && Files.getLastModifiedTime(launch.archive())
                  .compareTo(Files.getLastModifiedTime(launch.jar()))
              < 0) {
        Files.delete(launch.archive());
      }
      // use the archive, or write it when this JVM exits
      command.add(
          (Files.isRegularFile(launch.archive())
                  ? "-XX:SharedArchiveFile="
                  : "-XX:ArchiveClassesAtExit=")
              + launch.archive());
      command.add("-Xlog:cds=off");
      command.add("-Xlog:cds+dynamic=off");
    }
    command.addAll(launch.javaOptions());
    command.addAll(
        List.of(
            "-jar",
            launch.jar().toString(),
            "up",
            "--data",
            data.toString(),
            "--http-port",
            String.valueOf(httpPort),
            "--kafka-port",
            String.valueOf(kafkaPort)));
    command.addAll(upArguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(launch.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("VALENTIA_ADMIN_TOKEN", launch.adminToken());
    long logOffset = log.toFile().length();
    long started = System.nanoTime();
    Process process = builder.start();
    return new PlatformProcess(
        process, started, log, logOffset, URI.create("http://127.0.0.1:" + httpPort));
  }

  /** {@code GET /health} once; empty when nothing answers (yet) or the body is not JSON. */
  Optional<HealthAnswer> health() {
    try {
      HttpResponse<byte[]> answer =
          http.send(
              HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
      return Optional.of(
          new HealthAnswer(answer.statusCode(), EventCodec.MAPPER.readTree(answer.body())));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Polls {@code /health} every {@code interval} until it answers {@code HEALTH_OK}, the process
   * ends, or {@code timeout} (from the process start) passes.
   */
  Start awaitOk(Duration interval, Duration timeout) throws InterruptedException {
    long first = -1;
    long ok = -1;
    Map<String, RestoreSeen> restoring = new LinkedHashMap<>();
    String lastStatus = "no answer";
    List<String> lastChecks = List.of();
    long deadline = startedNanos + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      long asked = System.nanoTime();
      Optional<HealthAnswer> answer = health();
      if (answer.isPresent()) {
        long at = millisSinceStart();
        if (first < 0) {
          first = at;
        }
        HealthAnswer a = answer.get();
        lastStatus = a.status();
        List<String> checks = new ArrayList<>();
        a.body().path("checks").fieldNames().forEachRemaining(checks::add);
        lastChecks = checks;
        for (String line : a.detail("STATE_RESTORING")) {
          String topic = line.contains(":") ? line.substring(0, line.indexOf(':')) : line;
          RestoreSeen before = restoring.get(topic);
          restoring.put(
              topic,
              before == null
                  ? new RestoreSeen(at, at, line, line)
                  : new RestoreSeen(before.firstMillis(), at, before.firstLine(), line));
        }
        if ("HEALTH_OK".equals(lastStatus)) {
          ok = at;
          break;
        }
      }
      long rest = interval.toNanos() - (System.nanoTime() - asked);
      if (rest > 0) {
        TimeUnit.NANOSECONDS.sleep(rest);
      }
    }
    String ended = null;
    if (ok < 0 && process.waitFor(5, TimeUnit.SECONDS)) {
      ended =
          "ended with exit code "
              + process.exitValue()
              + lastException().map(e -> ": " + e).orElse("");
    }
    return new Start(first, ok, upMillis(), restoring, lastStatus, lastChecks, ended);
  }

  long millisSinceStart() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** The last line this start logged that names an exception or error and its message. */
  Optional<String> lastException() {
    return ownLog().lines().filter(EXCEPTION.asPredicate()).reduce((a, b) -> b);
  }

  /** What this start wrote to the log (the file may hold earlier starts before it). */
  private String ownLog() {
    try {
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(logOffset, all.length);
      return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The "Valentia is up in N ms" figure of this start, or -1. */
  long upMillis() {
    Matcher m = UP.matcher(ownLog());
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * Sends SIGTERM and waits for the process to end; after {@code timeout} it is killed.
   *
   * @return how long the stop took (ms), or -1 when it had to be killed
   */
  long stop(Duration timeout) throws InterruptedException {
    long asked = System.nanoTime();
    process.destroy(); // SIGTERM
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return -1;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(60));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
