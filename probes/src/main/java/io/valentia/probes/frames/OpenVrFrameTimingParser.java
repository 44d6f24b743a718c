package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads OpenVR/SteamVR {@code Compositor_FrameTiming} records written one JSON object per line,
 * with the struct's field names ({@code m_nFrameIndex}, {@code m_nNumFramePresents}, {@code
 * m_nNumMisPresented}, {@code m_nNumDroppedFrames}, {@code m_flSystemTimeInSeconds}, the GPU/CPU
 * times in ms, ...). Other fields are ignored. Not thread-safe: one per stream.
 *
 * <p>A frame's {@code m_nNumDroppedFrames} ("additional times the previous frame was scanned out")
 * is its drops; the frame time is the difference of consecutive {@code m_flSystemTimeInSeconds}; a
 * frame that dropped or was mis-presented is late by its frame time beyond the budget.
 */
public final class OpenVrFrameTimingParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final long periodNanos;
  private double previousSystemSeconds = Double.NaN;
  private long rejected;
  private String lastProblem;

  /**
   * @param hz the headset's refresh rate (the records do not carry it)
   */
  public OpenVrFrameTimingParser(int hz) {
    this.periodNanos = 1_000_000_000L / hz;
  }

  /**
   * Parses one line.
   *
   * @return the frame; empty for a blank line or a line that is not a frame timing record (counted
   *     in {@link #rejected()})
   */
  public Optional<FrameSample> parse(String line) {
    if (line.isBlank()) {
      return Optional.empty();
    }
    JsonNode record;
    try {
      record = MAPPER.readTree(line);
    } catch (IOException e) {
      return reject("not JSON: " + abbreviate(line));
    }
    if (record == null || !record.isObject()) {
      return reject("not a JSON object: " + abbreviate(line));
    }
    JsonNode index = record.get("m_nFrameIndex");
    JsonNode time = record.get("m_flSystemTimeInSeconds");
    if (index == null || !index.canConvertToLong() || time == null || !time.isNumber()) {
      return reject("no m_nFrameIndex or m_flSystemTimeInSeconds: " + abbreviate(line));
    }
    int dropped = Math.max(0, record.path("m_nNumDroppedFrames").asInt(0));
    int misPresented = Math.max(0, record.path("m_nNumMisPresented").asInt(0));
    double seconds = time.asDouble();
    long frameNanos =
        Double.isNaN(previousSystemSeconds) || seconds < previousSystemSeconds
            ? 0
            : Math.round((seconds - previousSystemSeconds) * 1e9);
    previousSystemSeconds = seconds;
    long lateness = dropped > 0 || misPresented > 0 ? Math.max(0, frameNanos - periodNanos) : 0;
    return Optional.of(new FrameSample(index.asLong(), frameNanos, lateness, dropped));
  }

  /** Lines that were not frame timing records. */
  public long rejected() {
    return rejected;
  }

  /** Why the last rejected line was rejected; null when none was. */
  public String lastProblem() {
    return lastProblem;
  }

  private Optional<FrameSample> reject(String problem) {
    rejected++;
    lastProblem = problem;
    return Optional.empty();
  }

  private static String abbreviate(String line) {
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }
}
