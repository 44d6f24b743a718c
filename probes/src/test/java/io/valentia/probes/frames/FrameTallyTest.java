package io.valentia.probes.frames;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.FrameStats;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameTallyTest {
  private static final long PERIOD = 11_111_111L;

  @Test
  @DisplayName("Consecutive late frames make one burst that ends at the next on-time frame")
  void burstEndsAtOnTimeFrame() {
    FrameTally tally = new FrameTally(90, "loop", 0);
    assertThat(tally.accept(new FrameSample(1, PERIOD, 0, 0))).isEmpty();
    assertThat(tally.accept(new FrameSample(2, 2 * PERIOD, 3_000_000, 1))).isEmpty();
    assertThat(tally.accept(new FrameSample(4, 28 * PERIOD, 290_000_000, 27))).isEmpty();

    FrameDropped burst = tally.accept(new FrameSample(32, PERIOD, 0, 0)).orElseThrow();

    assertThat(burst).isEqualTo(new FrameDropped(90, 28, 2, 30, 290_000, "loop"));
    assertThat(tally.endBurst()).isEmpty();
  }

  @Test
  @DisplayName(
      "An interval reports frames, drops, fps and frame-time percentiles, then starts afresh")
  void intervalStats() {
    FrameTally tally = new FrameTally(90, "loop", 0);
    for (int i = 1; i <= 89; i++) {
      tally.accept(new FrameSample(i, PERIOD, 0, 0));
    }
    tally.accept(new FrameSample(90, 2 * PERIOD, 1_000_000, 1));

    FrameStats stats = tally.interval(Duration.ofSeconds(1).toNanos());

    assertThat(stats.frames()).isEqualTo(90);
    assertThat(stats.dropped()).isEqualTo(1);
    assertThat(stats.fps()).isEqualTo(90.0);
    assertThat(stats.p50Micros()).isEqualTo(11_111);
    assertThat(stats.p99Micros()).isEqualTo(22_222);
    assertThat(stats.maxMicros()).isEqualTo(22_222);
    assertThat(stats.intervalMillis()).isEqualTo(1000);
    // 89 frames of 11.1 ms in the 11.0-11.5 ms bucket, one of 22.2 ms in the 22.0-22.5 ms one
    assertThat(stats.histogram().bucketMicros()).isEqualTo(500);
    assertThat(stats.histogram().counts().get(22)).isEqualTo(89);
    assertThat(stats.histogram().counts().get(44)).isEqualTo(1);
    assertThat(stats.histogram().counts().stream().mapToInt(Integer::intValue).sum()).isEqualTo(90);
    assertThat(tally.interval(Duration.ofSeconds(2).toNanos()).frames()).isZero();
    assertThat(tally.summary().frames()).isEqualTo(90);
    assertThat(tally.summary().dropped()).isEqualTo(1);
  }

  @Test
  @DisplayName("The baseline learns the usual drops and flags only intervals well above them")
  void baseline() {
    DropBaseline baseline = new DropBaseline();
    for (int i = 0; i < DropBaseline.WARM_UP; i++) {
      assertThat(baseline.observe(i % 2)).isFalse();
    }
    assertThat(baseline.observe(2)).isFalse();
    assertThat(baseline.observe(30)).isTrue();
    assertThat(baseline.dropsPerInterval()).isLessThan(2);
    assertThat(baseline.observe(1)).isFalse();
  }

  @Test
  @DisplayName(
      "Frames read from a compositor's records report the fps of their own times, however fast"
          + " the file was read")
  void fpsFromRecordTimes() {
    FrameTally tally = new FrameTally(90, "openvr", 0, true);
    tally.accept(new FrameSample(0, 0, 0, 0));
    for (int i = 1; i <= 180; i++) {
      tally.accept(new FrameSample(i, PERIOD, 0, 0));
    }

    // the whole two seconds of records were read in 20 ms of wall time
    FrameStats stats = tally.interval(Duration.ofMillis(20).toNanos());

    assertThat(stats.frames()).isEqualTo(181);
    assertThat(stats.fps()).isBetween(89.9, 90.1);
    assertThat(stats.intervalMillis()).isBetween(1999L, 2001L);
  }
}
