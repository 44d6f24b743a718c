package io.valentia.probes.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FramesProbeIT {
  private static final int PAUSES = 3;
  private static final long PAUSE_MS = 400;

  @Test
  @DisplayName(
      "SIGSTOP bursts on the probe's process drop about as many frames as the pauses cover, in"
          + " bursts of that size")
  void sigstopBurstsDropFrames() throws Exception {
    Process probe =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                FramesCommandMain.class.getName(),
                "--hz",
                "90",
                "--work-ms",
                "1",
                "--duration",
                "15s",
                "--max-drop-percent",
                "100",
                "--json")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    List<JsonNode> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> readLines(probe, lines), "frames-probe-output");
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> lines.stream().anyMatch(l -> type(l).endsWith("frame.stats.v1")));
      // the faults fit well inside the run, even when a busy host is slow to start the JVM
      for (int i = 0; i < PAUSES; i++) {
        signal(probe, "STOP");
        Thread.sleep(PAUSE_MS); // the fault: the process is stopped this long
        signal(probe, "CONT");
        Thread.sleep(800); // running normally between faults
      }
      assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(5000);
    } finally {
      probe.destroyForcibly();
    }

    JsonNode summary =
        lines.stream().filter(l -> l.has("summary")).findFirst().orElseThrow().get("summary");
    long predicted = PAUSES * PAUSE_MS * 90 / 1000; // 108 vsyncs covered by the pauses
    // a shared 2-core machine drops a few more on its own, and a pause can be a little longer
    // than asked for; it never drops many fewer than the pauses cover
    assertThat(summary.get("dropped").asLong()).isBetween(predicted * 8 / 10, predicted + 150);
    List<JsonNode> bigBursts =
        lines.stream()
            .filter(l -> type(l).endsWith("frame.dropped.v1"))
            .map(l -> l.get("data"))
            .filter(d -> d.get("frames").asInt() >= 30)
            .toList();
    assertThat(bigBursts).hasSize(PAUSES);
    assertThat(bigBursts)
        .allSatisfy(
            b -> {
              assertThat(b.get("frames").asInt()).isBetween(33, 60);
              assertThat(b.get("worstLatenessMicros").asLong()).isGreaterThan(300_000);
              assertThat(b.get("source").asText()).isEqualTo("loop");
            });
    assertThat(summary.get("p99LatenessMicros").asLong()).isPositive();
    assertThat(lines.stream().filter(l -> type(l).endsWith("frame.stats.v1")).count())
        .isBetween(14L, 17L);
  }

  private static String type(JsonNode line) {
    return line.path("type").asText("");
  }

  private static void signal(Process process, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
    assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private static void readLines(Process process, List<JsonNode> lines) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(EventCodec.MAPPER.readTree(line));
      }
    } catch (IOException e) {
      // the process ended
    }
  }
}
