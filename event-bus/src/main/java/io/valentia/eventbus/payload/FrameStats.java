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
    String source)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.PROBE_FRAME_STATS;
  }
}
