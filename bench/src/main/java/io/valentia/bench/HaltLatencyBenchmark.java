package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * How long {@code ./valentia halt} takes to take effect: the platform runs as a real child process
 * (web and chaos roles, the embedded broker) whose chaos allow-list names one {@code sleep}
 * process; each round a run pauses it ({@code process-pause} for ten minutes, SIGSTOP), then the
 * command {@code ./valentia halt} is started as a user starts it (the launcher script, a fresh JVM)
 * and {@code /proc/PID/stat} is read every 0.5 ms until the sleeper is no longer stopped. The
 * figure is the time from starting the command to that moment. Then the halt is released over the
 * API, the run is awaited to its end and the next round begins.
 *
 * <p>Two ways are measured: {@code api} (with {@code --url} and {@code --token}: {@code POST
 * /api/v1/halt}) and {@code kafka} (no token: the command writes to {@code valentia.control} and
 * the platform's injector reverts the fault). The first command of each way is a warm-up, reported
 * apart (after a build it writes the command's class-data archive). The load average of the machine
 * is printed with each way's figures.
 *
 * <p>Usage (from the repository root, after {@code mvn -pl app,bench -am package -DskipTests}):
 * {@code java -cp bench/target/valentia-bench.jar io.valentia.bench.HaltLatencyBenchmark [--rounds
 * 20] [--ways api,kafka] [--root DIR] [--keep]}.
 */
public final class HaltLatencyBenchmark {
  private static final String TOKEN = "vt_halt-benchmark-admin-token-000000000";

  private HaltLatencyBenchmark() {}

  /** One measured command. */
  record Round(long millis, long exitMillis, int exitCode, String said) {}

  public static void main(String[] args) throws Exception {
    int rounds = 20;
    List<String> ways = List.of("api", "kafka");
    Path root = Path.of("").toAbsolutePath();
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--ways" -> ways = List.of(args[++i].split(","));
        case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
        case "--keep" -> keep = true;
        default -> {
          System.err.println(
              "usage: HaltLatencyBenchmark [--rounds 20] [--ways api,kafka] [--root DIR] [--keep]");
          System.exit(2);
        }
      }
    }
    Path work = Files.createTempDirectory("valentia-halt-bench");
    Process sleeper = new ProcessBuilder("sleep", "100000").start();
    int httpPort = freePort();
    int kafkaPort = freePort();
    Path config = work.resolve("valentia.yaml");
    Files.writeString(
        config,
        """
        chaos:
          allow:
            pids: ["%d"]
          steadyStateInterval: 0s
          scheduleGroup: halt-benchmark-%s
        """
            .formatted(sleeper.pid(), UUID.randomUUID()));
    PlatformProcess.Launch launch = new PlatformProcess.Launch(root, List.of(), true, TOKEN);
    String url = "http://127.0.0.1:" + httpPort;
    System.out.printf(
        Locale.ROOT,
        "halt latency: %d rounds per way %s, %d cores, load %s; platform log in %s%n",
        rounds,
        ways,
        Runtime.getRuntime().availableProcessors(),
        load(),
        work.resolve("platform.log"));
    try (PlatformProcess platform =
        PlatformProcess.start(
            launch,
            work.resolve("data"),
            work.resolve("platform.log"),
            httpPort,
            kafkaPort,
            List.of("--config", config.toString(), "--role", "web", "--role", "chaos"))) {
      PlatformProcess.Start start = platform.awaitOk(Duration.ofMillis(200), Duration.ofMinutes(5));
      if (start.okMillis() < 0) {
        throw new IllegalStateException("the platform did not start: " + start);
      }
      for (String way : ways) {
        List<String> command =
            new ArrayList<>(List.of(root.resolve("valentia").toString(), "halt"));
        command.addAll(List.of("--reason", "halt benchmark", "--by", "bench"));
        if (way.equals("api")) {
          command.addAll(List.of("--url", url, "--token", TOKEN));
        } else {
          command.addAll(List.of("--kafka", "127.0.0.1:" + kafkaPort));
        }
        String before = load();
        Round warmUp = round(url, sleeper.pid(), command, root, way);
        List<Round> measured = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          measured.add(round(url, sleeper.pid(), command, root, way));
        }
        report(way, warmUp, measured, before, load());
      }
    } finally {
      sleeper.destroyForcibly();
      if (!keep) {
        deleteTree(work);
      }
    }
  }

  /** Pauses the sleeper through a run, halts it with {@code command}, releases the halt. */
  private static Round round(String url, long pid, List<String> command, Path root, String way)
      throws Exception {
    JsonNode posted =
        api(
            url,
            "POST",
            "/api/v1/experiments/runs",
            """
            {"title": "halt benchmark", "method": [
              {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "10m"}}}]}
            """
                .formatted(pid));
    String runId = posted.path("runId").asText();
    if (runId.isEmpty()) {
      throw new IllegalStateException("the run was not started: " + posted);
    }
    awaitState(pid, true, Duration.ofSeconds(60));

    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.environment().remove("VALENTIA_TOKEN");
    builder.environment().remove("VALENTIA_URL");
    long started = System.nanoTime();
    Process halt = builder.start();
    long reverted = awaitState(pid, false, Duration.ofSeconds(120));
    String said = new String(halt.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    halt.waitFor(120, TimeUnit.SECONDS);
    long exited = System.nanoTime();
    if (!said.contains(way.equals("api") ? "through the platform's API" : "through Kafka")) {
      throw new IllegalStateException("the halt did not go through " + way + ": " + said);
    }

    api(url, "POST", "/api/v1/halt", "{\"release\": true, \"reason\": \"next round\"}");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (api(url, "GET", "/api/v1/experiments/runs/" + runId, null)
            .path("status")
            .asText()
            .equals("running")
        || api(url, "GET", "/api/v1/halt", null).path("halted").asBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("run " + runId + " did not end after the halt");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return new Round(
        TimeUnit.NANOSECONDS.toMillis(reverted - started),
        TimeUnit.NANOSECONDS.toMillis(exited - started),
        halt.exitValue(),
        said.lines().reduce((a, b) -> b).orElse(""));
  }

  /**
   * Reads {@code /proc/PID/stat} every 0.5 ms until the process is (or is no longer) stopped.
   *
   * @return {@link System#nanoTime()} when it was seen so
   */
  private static long awaitState(long pid, boolean stopped, Duration timeout)
      throws IOException, InterruptedException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = Files.readString(stat, StandardCharsets.US_ASCII);
      char state = line.charAt(line.lastIndexOf(')') + 2);
      long now = System.nanoTime();
      if ((state == 'T') == stopped) {
        return now;
      }
      if (now > deadline) {
        throw new IllegalStateException(
            "process " + pid + (stopped ? " was not stopped" : " still stopped") + " in time");
      }
      TimeUnit.MICROSECONDS.sleep(500);
    }
  }

  private static void report(
      String way, Round warmUp, List<Round> rounds, String loadBefore, String loadAfter) {
    long[] millis = rounds.stream().mapToLong(Round::millis).sorted().toArray();
    long[] exits = rounds.stream().mapToLong(Round::exitMillis).sorted().toArray();
    long failures = rounds.stream().filter(r -> r.exitCode() != 0).count();
    System.out.printf(
        Locale.ROOT,
        "%-5s command start -> process running again: min %d ms, median %d ms, p90 %d ms, max %d"
            + " ms over %d rounds (command ended: median %d ms, max %d ms; %d non-zero exits);"
            + " warm-up %d ms; load %s before, %s after%n",
        way,
        millis[0],
        percentile(millis, 50),
        percentile(millis, 90),
        millis[millis.length - 1],
        millis.length,
        percentile(exits, 50),
        exits[exits.length - 1],
        failures,
        warmUp.millis(),
        loadBefore,
        loadAfter);
    System.out.printf(Locale.ROOT, "      the command said: %s%n", rounds.get(0).said());
    StringBuilder each = new StringBuilder("      each round (ms):");
    rounds.forEach(r -> each.append(' ').append(r.millis()));
    System.out.println(each);
  }

  private static long percentile(long[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static JsonNode api(String url, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return EventCodec.MAPPER.readTree(answer.body());
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The 1, 5 and 15 minute load averages. */
  private static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  // best effort
                }
              });
    }
  }
}
