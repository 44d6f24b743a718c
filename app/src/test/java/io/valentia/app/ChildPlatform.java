package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code valentia up} in a child JVM on a test's data directory, on an embedded broker and ports of
 * its own, for tests that kill it with SIGKILL and start it again on the same data.
 *
 * @param process the child
 * @param bootstrap the Kafka address it printed
 * @param base its web address, e.g. {@code http://127.0.0.1:41234}
 * @param token the admin token it was started with
 */
public record ChildPlatform(Process process, String bootstrap, String base, String token) {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * Starts the platform and waits until it is up.
   *
   * @param dir the test's directory: the data directory is {@code dir/data}, the log {@code
   *     dir/LOG}
   * @param config a configuration file, or null for none
   * @param roles the roles to run
   */
  public static ChildPlatform up(
      Path dir, String logName, Path config, String token, String... roles) throws Exception {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "--data",
                dir.resolve("data").toString(),
                "--kafka-port",
                "0",
                "--http-port",
                "0",
                "--http-host",
                "127.0.0.1"));
    if (config != null) {
      arguments.add("--config");
      arguments.add(config.toString());
    }
    for (String role : roles) {
      arguments.add("--role");
      arguments.add(role);
    }
    return start(dir.resolve(logName), token, arguments);
  }

  /**
   * Starts {@code valentia up ARGUMENTS} with {@code VALENTIA_ADMIN_TOKEN} set to {@code token},
   * its output in {@code log}, and waits until it is up (it must serve HTTP: the web role or a
   * role's own API).
   */
  public static ChildPlatform start(Path log, String token, List<String> arguments)
      throws Exception {
    ChildPlatform child = launch(log, token, arguments, "-Xmx512m", Duration.ofSeconds(180));
    if (child.base() == null) {
      child.kill();
      throw new AssertionError("the platform serves no HTTP: " + read(log));
    }
    return child;
  }

  /**
   * Starts {@code valentia up ARGUMENTS} (the caller gives every flag: data, Kafka, roles) and
   * waits until it is up.
   *
   * @param log where its output goes
   * @return the child; its {@code base} is null when it runs no web role
   */
  public static ChildPlatform up(Path log, String token, List<String> arguments) throws Exception {
    return launch(log, token, arguments, "-Xmx384m", Duration.ofSeconds(180));
  }

  private static final Pattern UP_ANY =
      Pattern.compile("Valentia is up in \\d+ ms: Kafka (\\S+) [^\\n]*");
  private static final Pattern HTTP_PORT = Pattern.compile("http://[^:\\s]+:(\\d+)");

  /**
   * Starts the child on this JVM's class path and waits (polling its log) for the line that says it
   * is up; a child that dies or does not come up in time is killed and fails the test with its log.
   */
  private static ChildPlatform launch(
      Path log, String token, List<String> arguments, String heap, Duration timeout)
      throws Exception {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                // a child lives for seconds to minutes: the quick compiler only, and one GC
                // thread, leave the cores the tests share to the work being tested
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                Valentia.class.getName(),
                "up"));
    command.addAll(arguments);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("VALENTIA_ADMIN_TOKEN", token);
    Process process = builder.start();
    try {
      String line =
          await()
              .atMost(timeout)
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> {
                    assertThat(process.isAlive()).as(() -> read(log)).isTrue();
                    Matcher m = UP_ANY.matcher(read(log));
                    return m.find() ? m.group() : null;
                  },
                  m -> m != null);
      Matcher bootstrap = UP_ANY.matcher(line);
      bootstrap.find();
      Matcher http = HTTP_PORT.matcher(line);
      return new ChildPlatform(
          process,
          bootstrap.group(1),
          http.find() ? "http://127.0.0.1:" + http.group(1) : null,
          token);
    } catch (RuntimeException | Error e) {
      process.destroyForcibly().waitFor();
      throw e;
    }
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM, and waits for the end. */
  public void stop() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  /** Sends {@code method} to {@code path} (under the base) with the admin token. */
  public HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(
        request
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The text of a log file, or what went wrong reading it. */
  public static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
