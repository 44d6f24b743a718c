package io.valentia.probes.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.probes.RecordingHealth;
import io.vertx.core.Vertx;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frame probe as the probes role runs it: baselines kept across restarts, ingest health. */
class FramesVerticleIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private final RecordingHealth health = new RecordingHealth();
  private int frameIndex;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "frames-it");
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    publisher.close();
  }

  @Test
  @DisplayName(
      "The baseline learnt by the render loop is saved at stop and resumed by the next run")
  void baselineSurvivesRestart() throws Exception {
    Path file = dir.resolve(FramesProbe.BASELINE_FILE);
    FramesConfig config = config("{\"hz\":90,\"workMs\":1,\"realtime\":false}");

    FramesVerticle first = new FramesVerticle(config, publisher, health, file);
    String id = vertx.deployVerticle(first).await(30, TimeUnit.SECONDS);
    assertThat(first.describe()).contains("loop at 90 Hz (no baseline yet)");
    await().atMost(WAIT).until(() -> learnt(first) >= 3);
    vertx.undeploy(id).await(30, TimeUnit.SECONDS);

    JsonNode saved = EventCodec.MAPPER.readTree(file.toFile());
    long intervals = saved.at("/baselines/loop/intervals").asLong();
    assertThat(intervals).isGreaterThanOrEqualTo(3);
    assertThat(saved.at("/baselines/loop/hz").asInt()).isEqualTo(90);
    assertThat(saved.at("/baselines/loop/dropsPerSecond").isNumber()).isTrue();
    try (var leftovers = Files.list(dir)) {
      assertThat(leftovers).containsExactly(file); // written through a temporary file, moved in
    }

    FramesVerticle second = new FramesVerticle(config, publisher, health, file);
    vertx.deployVerticle(second).await(30, TimeUnit.SECONDS);
    assertThat(second.describe()).contains("loop at 90 Hz (baseline ").contains(intervals + " s)");

    FramesVerticle otherRate =
        new FramesVerticle(
            config("{\"hz\":120,\"workMs\":1,\"realtime\":false}"), publisher, health, file);
    vertx.deployVerticle(otherRate).await(30, TimeUnit.SECONDS);
    assertThat(otherRate.describe())
        .contains("loop at 120 Hz (no baseline yet)")
        .contains("learnt at 90 Hz, not 120 Hz");
  }

  @Test
  @DisplayName(
      "A corrupt baseline file is reported, kept aside and ignored, and the probe runs and saves a"
          + " new one")
  void corruptBaselineFile() throws Exception {
    Path file = dir.resolve(FramesProbe.BASELINE_FILE);
    Files.writeString(file, "{\"baselines\": {\"loop\": {\"hz\": 90, \"dropsPer");
    FramesVerticle frames =
        new FramesVerticle(
            config("{\"hz\":90,\"workMs\":1,\"realtime\":false}"), publisher, health, file);
    String id = vertx.deployVerticle(frames).await(30, TimeUnit.SECONDS);

    assertThat(frames.describe())
        .contains("no baseline yet")
        .contains("not JSON")
        .contains("kept as frame-baselines.json.corrupt");
    assertThat(dir.resolve("frame-baselines.json.corrupt")).content().startsWith("{\"baselines\"");
    await().atMost(WAIT).until(() -> learnt(frames) >= 1);
    vertx.undeploy(id).await(30, TimeUnit.SECONDS);
    assertThat(EventCodec.MAPPER.readTree(file.toFile()).at("/baselines/loop/intervals").asLong())
        .isPositive();
  }

  @Test
  @DisplayName(
      "A missing timing file raises FRAME_INGEST_FAILED naming it; the check clears when the file"
          + " appears, is raised again by a burst of records that are not the format, and clears"
          + " when frames arrive")
  void missingFileAndMalformedRecords() throws Exception {
    Path openvr = dir.resolve("openvr.jsonl");
    startIngest("{\"loop\":false,\"openvr\":\"" + openvr + "\",\"maxRejectedPerSecond\":5}");

    assertThat(raisedDetail()).isEqualTo(openvr + ": no such file");
    HealthCheck check = health.checks.get(FramesVerticle.INGEST_CHECK);
    assertThat(check.severity()).isEqualTo("HEALTH_WARN");

    Files.createFile(openvr);
    awaitCleared();

    StringBuilder garbage = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      garbage.append("frame ").append(i).append(" was fine\n");
    }
    append(openvr, garbage.toString());
    assertThat(raisedDetail())
        .startsWith(openvr + ": 30 records in one second were not openvr frame timing")
        .contains("not JSON: frame 29 was fine");

    append(openvr, frames(20));
    awaitCleared();
  }

  @Test
  @DisplayName(
      "A named pipe whose writer left and that was removed raises FRAME_INGEST_FAILED; a new pipe"
          + " with a writer clears it")
  void namedPipeGone() throws Exception {
    Path pipe = dir.resolve("monado.pipe");
    mkfifo(pipe);
    startIngest("{\"loop\":false,\"openvr\":\"" + pipe + "\"}");

    try (OutputStream writer = new FileOutputStream(pipe.toFile())) {
      writer.write(frames(10).getBytes(StandardCharsets.UTF_8));
      writer.flush();
      Files.delete(pipe);
    }
    assertThat(raisedDetail()).isEqualTo(pipe + ": the named pipe is gone");

    mkfifo(pipe);
    try (OutputStream writer = new FileOutputStream(pipe.toFile())) {
      awaitCleared();
      writer.write(frames(10).getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName(
      "A timing path that cannot be read raises FRAME_INGEST_FAILED with the error, and a"
          + " readable file that sends frames clears it")
  void unreadablePath() throws Exception {
    Path openvr = dir.resolve("openvr.jsonl");
    Files.createDirectory(openvr); // reading a directory fails, even as root
    startIngest("{\"loop\":false,\"openvr\":\"" + openvr + "\"}");

    assertThat(raisedDetail())
        .startsWith(openvr + ": cannot read: ")
        .containsIgnoringCase("directory");

    Files.delete(openvr);
    Files.createFile(openvr);
    // still raised: nothing has been read from the new file yet
    assertThat(health.checks).containsKey(FramesVerticle.INGEST_CHECK);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              append(openvr, frames(5));
              assertThat(health.checks).doesNotContainKey(FramesVerticle.INGEST_CHECK);
            });
  }

  private void startIngest(String json) throws Exception {
    FramesVerticle frames =
        new FramesVerticle(config(json), publisher, health, dir.resolve("baselines.json"));
    vertx.deployVerticle(frames).await(30, TimeUnit.SECONDS);
  }

  private String raisedDetail() {
    await().atMost(WAIT).until(() -> health.checks.containsKey(FramesVerticle.INGEST_CHECK));
    HealthCheck check = health.checks.get(FramesVerticle.INGEST_CHECK);
    assertThat(check.detail()).hasSize(1);
    return check.detail().get(0);
  }

  private void awaitCleared() {
    await().atMost(WAIT).until(() -> !health.checks.containsKey(FramesVerticle.INGEST_CHECK));
  }

  private String frames(int count) {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < count; i++) {
      frameIndex++;
      lines
          .append("{\"m_nFrameIndex\":")
          .append(frameIndex)
          .append(",\"m_flSystemTimeInSeconds\":")
          .append(frameIndex / 90.0)
          .append(
              ",\"m_nNumFramePresents\":1,\"m_nNumMisPresented\":0,\"m_nNumDroppedFrames\":0}\n");
    }
    return lines.toString();
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardOpenOption.APPEND);
  }

  private static void mkfifo(Path path) throws Exception {
    Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
  }

  private static long learnt(FramesVerticle frames) {
    String text = frames.describe();
    int from = text.indexOf(" from ");
    return from < 0 ? 0 : Long.parseLong(text.substring(from + 6, text.indexOf(" s)", from)));
  }

  private static FramesConfig config(String json) throws IOException {
    return FramesConfig.from(EventCodec.MAPPER.readTree(json));
  }
}
