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
    long minStoppedNanos = 0;
    long maxStoppedNanos = 0;
    Thread reader = new Thread(() -> readLines(probe, lines), "frames-probe-output");
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> lines.stream().anyMatch(l -> type(l).endsWith("frame.stats.v1")));
      // the faults fit well inside the run, even when a busy host is slow to start the JVM
      for (int i = 0; i < PAUSES; i++) {
        long outerStart = System.nanoTime();
        signal(probe, "STOP");
        long innerStart = System.nanoTime();
        Thread.sleep(PAUSE_MS); // the fault: the process is stopped at least this long
        long innerEnd = System.nanoTime();
        signal(probe, "CONT");
        long outerEnd = System.nanoTime();
        // the process was stopped for at least the inner and at most the outer span
        minStoppedNanos += innerEnd - innerStart;
        maxStoppedNanos += outerEnd - outerStart;
        Thread.sleep(800); // running normally between faults
      }
      assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(5000);
    } finally {
      probe.destroyForcibly();
    }

    JsonNode summary =
        lines.stream().filter(l -> l.has("summary")).findFirst().orElseThrow().get("summary");
    long fewest = minStoppedNanos * 90 / 1_000_000_000L; // vsyncs the pauses surely covered
    long most = maxStoppedNanos * 90 / 1_000_000_000L + PAUSES;
    // a shared 2-core machine drops some frames on its own: allow that on top, never fewer
    assertThat(summary.get("dropped").asLong()).isBetween(fewest * 9 / 10, most + 150);
    List<JsonNode> bigBursts =
        lines.stream()
            .filter(l -> type(l).endsWith("frame.dropped.v1"))
            .map(l -> l.get("data"))
            .filter(d -> d.get("frames").asInt() >= PAUSE_MS * 90 / 1000 * 8 / 10)
            .toList();
    assertThat(bigBursts).hasSize(PAUSES);
    assertThat(bigBursts.stream().mapToLong(b -> b.get("frames").asLong()).sum())
        .isBetween(fewest * 9 / 10, most + 30);
    assertThat(bigBursts)
        .allSatisfy(
            b -> {
              assertThat(b.get("worstLatenessMicros").asLong()).isGreaterThan(PAUSE_MS * 900);
              assertThat(b.get("source").asText()).isEqualTo("loop");
            });
    assertThat(summary.get("bursts").asLong()).isGreaterThanOrEqualTo(PAUSES);
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
