package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code valentia} command in a JVM of its own, started through {@link Valentia#main} as the
 * launcher starts it, with the application's own logging configuration: what a user sees on the
 * terminal and which classes a command loads. No Kafka: the API side is a small real HTTP server.
 */
@DisplayName("The valentia command in its own JVM")
class CommandProcessIT {
  @TempDir Path dir;

  private record Ran(int code, String out, String err, List<String> classes) {}

  @Test
  @DisplayName(
      "halt with a URL and a token posts the halt with the token to POST /api/v1/halt, says it"
          + " went through the API, and loads no Kafka, Vert.x or logging class on the way")
  void haltThroughTheApiStaysLean() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer platform =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    platform.createContext(
        "/api/v1/halt",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + body);
          byte[] answer =
              "{\"halted\": true, \"activeFaults\": 0, \"revertedFaults\": 2}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    platform.start();
    try {
      String url = "http://127.0.0.1:" + platform.getAddress().getPort();
      Ran ran =
          valentia(
              true,
              "halt",
              "--reason",
              "game day",
              "--by",
              "ann",
              "--url",
              url,
              "--token",
              "operator-token",
              "--kafka",
              "127.0.0.1:1");

      assertThat(ran.code()).as(ran.err()).isZero();
      assertThat(ran.out())
          .contains("HALT through the platform's API at " + url + ": 2 fault(s) reverted there");
      assertThat(requests).hasSize(1);
      assertThat(requests.get(0)).startsWith("POST Bearer operator-token {");
      JsonNode sent =
          EventCodec.MAPPER.readTree(requests.get(0).substring(requests.get(0).indexOf('{')));
      assertThat(sent.path("reason").asText()).isEqualTo("game day");
      assertThat(sent.path("release").asBoolean(true)).isFalse();
      assertThat(ran.classes())
          .as("classes loaded by a halt through the API")
          .isNotEmpty()
          .noneMatch(c -> c.startsWith("org.apache.kafka."))
          .noneMatch(c -> c.startsWith("io.vertx."))
          .noneMatch(c -> c.startsWith("org.apache.logging."));
    } finally {
      platform.stop(0);
    }
  }

  @Test
  @DisplayName(
      "halt with no platform and an unreachable Kafka exits 1 after its --kafka-timeout with one"
          + " line naming the address and where it came from, and not one Kafka WARN line")
  void unreachableKafkaIsQuiet() throws Exception {
    Ran ran =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                valentia(
                    false,
                    "halt",
                    "--url",
                    "http://127.0.0.1:1",
                    "--token",
                    "operator-token",
                    "--kafka",
                    "127.0.0.1:1",
                    "--kafka-timeout",
                    "2s"));

    assertThat(ran.code()).as(ran.err()).isEqualTo(Valentia.PROBLEM);
    assertThat(ran.err())
        .contains("no platform answers at http://127.0.0.1:1")
        .contains(
            "valentia: Kafka at 127.0.0.1:1 (from --kafka) did not answer within 2 s"
                + " (--kafka-timeout, VALENTIA_HALT_KAFKA_TIMEOUT); the halt was NOT sent")
        .doesNotContain("WARN")
        .doesNotContain("\tat ");
    assertThat(ran.err().lines()).as(ran.err()).hasSize(2);
  }

  @Test
  @DisplayName(
      "tail against an unreachable Kafka exits 1 with one line naming the address and where it"
          + " came from, and not one Kafka WARN line")
  void tailUnreachableKafkaIsQuiet() throws Exception {
    Ran ran =
        assertTimeoutPreemptively(
            Duration.ofSeconds(90), () -> valentia(false, "tail", "--kafka", "127.0.0.1:1"));

    assertThat(ran.code()).as(ran.err()).isEqualTo(Valentia.PROBLEM);
    assertThat(ran.err())
        .startsWith("valentia: Kafka at 127.0.0.1:1 (from --kafka) did not answer within")
        .doesNotContain("WARN")
        .doesNotContain("\tat ");
    assertThat(ran.err().lines()).as(ran.err()).hasSize(1);
  }

  /** Runs {@code valentia ARGS} in a JVM of its own with the application's log4j2.xml. */
  private Ran valentia(boolean logClasses, String... args)
      throws IOException, InterruptedException {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    Path classes = dir.resolve("classes.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the test class path has log4j2-test.xml first; the command runs with the application's own
    command.add(
        "-Dlog4j2.configurationFile=" + Path.of("target/classes/log4j2.xml").toAbsolutePath());
    if (logClasses) {
      command.add("-Xlog:class+load:file=" + classes);
    }
    command.addAll(List.of("-cp", classpath, Valentia.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().remove("VALENTIA_TOKEN");
    builder.environment().remove("VALENTIA_URL");
    builder.environment().remove("VALENTIA_KAFKA_BOOTSTRAP");
    builder.environment().remove("VALENTIA_HALT_KAFKA_TIMEOUT");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("valentia " + String.join(" ", args) + " did not end");
    }
    List<String> loaded = new ArrayList<>();
    if (logClasses) {
      for (String line : Files.readAllLines(classes)) {
        // [0.123s][info][class,load] NAME source: ...
        int at = line.indexOf("] ", line.indexOf("[class,load]"));
        if (at > 0) {
          String rest = line.substring(at + 2);
          loaded.add(rest.substring(0, Math.max(0, rest.indexOf(' '))));
        }
      }
    }
    return new Ran(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8),
        loaded);
  }
}
