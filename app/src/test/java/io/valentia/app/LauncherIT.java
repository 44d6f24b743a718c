package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged application, run the way {@code ./valentia up} runs it, in its own process. */
@DisplayName("The packaged valentia command")
class LauncherIT {
  private static final Pattern UP =
      Pattern.compile("Valentia is up in \\d+ ms: .*http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path data;

  @Test
  @DisplayName("`up` answers /health, and SIGTERM stops it cleanly: services, then the broker")
  void upThenSigterm() throws Exception {
    Path jar = Path.of("target", "valentia.jar");
    assertThat(jar).exists();
    Path log = data.resolve("stderr.log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "up",
                "--data",
                data.resolve("platform").toString(),
                "--kafka-port",
                "0",
                "--http-port",
                "0")
            .redirectError(log.toFile())
            .start();
    try {
      int port = -1;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while (port < 0 && (line = out.readLine()) != null) {
          Matcher m = UP.matcher(line);
          if (m.find()) {
            port = Integer.parseInt(m.group(1));
          }
        }
        assertThat(port).as(Files.readString(log)).isPositive();
        HttpResponse<String> health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"HEALTH_OK\"");

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      String stderr = Files.readString(log);
      assertThat(stderr).contains("embedded Kafka stopped", "stopped in").doesNotContain("ERROR");
      assertThat(data.resolve("platform/kafka/meta.properties")).exists();
    } finally {
      process.destroyForcibly();
    }
  }
}
