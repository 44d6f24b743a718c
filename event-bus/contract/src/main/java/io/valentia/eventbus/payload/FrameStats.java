package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * Frame timing over one interval (normally one second).
 *
 * @param hz the target refresh rate
 * @param frames frames presented in the interval
 * @param dropped frames dropped in the interval
 * @param fps frames per second achieved
 * @param p50Micros median frame time in microseconds
 * @param p99Micros 99th percentile frame time in microseconds
 * @param maxMicros longest frame time in microseconds
 * @param intervalMillis length of the interval in milliseconds
 * @param source {@code loop}, {@code openvr} or {@code monado}
 * @param histogram the interval's frame times counted in buckets; null when not measured
 */
public record FrameStats(
    int hz,
    int frames,
    int dropped,
    double fps,
    long p50Micros,
    long p99Micros,
    long maxMicros,
    long intervalMillis,
    String source,
    Histogram histogram)
    implements EventPayload {

  /** Stats without a histogram. */
  public FrameStats(
      int hz,
      int frames,
      int dropped,
      double fps,
      long p50Micros,
      long p99Micros,
      long maxMicros,
      long intervalMillis,
      String source) {
    this(hz, frames, dropped, fps, p50Micros, p99Micros, maxMicros, intervalMillis, source, null);
  }

  /**
   * Frame times counted in equal buckets: {@code counts[i]} frames took from {@code i *
   * bucketMicros} up to {@code (i + 1) * bucketMicros}; the last bucket also holds every longer
   * frame.
   *
   * @param bucketMicros the width of a bucket in microseconds
   * @param counts frames per bucket
   */
  public record Histogram(int bucketMicros, java.util.List<Integer> counts) {
    public Histogram {
      counts = java.util.List.copyOf(counts);
    }
  }

  @Override
  public EventType eventType() {
    return EventType.PROBE_FRAME_STATS;
  }
}
