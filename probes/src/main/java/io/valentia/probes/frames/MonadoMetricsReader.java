package io.valentia.probes.frames;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads Monado's metrics stream ({@code XRT_METRICS_FILE}): a sequence of {@code
 * monado_metrics.Record} protobuf messages, each preceded by its length as a varint (nanopb's
 * delimited encoding). Only session frames are used; every other record is skipped. Not
 * thread-safe: one per stream.
 *
 * <p>Field numbers assumed, from Monado's {@code monado_metrics.proto}:
 *
 * <pre>
 * Record (a oneof): 1 version, 2 session_frame, 3 used, 4 system_frame, 5 system_gpu_info,
 *                   6 system_present_info
 * Version:          1 major, 2 minor
 * SessionFrame:     1 session_id, 2 frame_id, 3 predicted_frame_time_ns,
 *                   4 predicted_wake_up_time_ns, 5 predicted_gpu_done_time_ns,
 *                   6 predicted_display_time_ns, 7 predicted_display_period_ns,
 *                   8 display_time_ns, 9 when_predicted_ns, 10 when_wait_woke_ns,
 *                   11 when_begin_ns, 12 when_delivered_ns, 13 when_gpu_done_ns, 14 discarded
 * </pre>
 *
 * <p>A discarded frame drops one vsync. A shown frame drops the vsyncs between it and the previous
 * shown frame that no discarded frame already accounted for ({@code display_time_ns}, or the
 * predicted display time when it is 0, against {@code predicted_display_period_ns}). Lateness is
 * {@code when_gpu_done_ns - predicted_gpu_done_time_ns} when positive; a frame that dropped vsyncs
 * is at least as late as the display shows: a discarded frame missed its vsync, at least one
 * period; a shown frame that skipped vsyncs came that many periods after its slot.
 */
public final class MonadoMetricsReader {
  /** The largest record accepted; anything longer is a stream that is not Monado's metrics. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  private final InputStream in;
  private long previousDisplay = -1;
  private int discardedSincePrevious;
  private long rejected;
  private String lastProblem;
  private String version;

  public MonadoMetricsReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads records until the next session frame.
   *
   * @return the frame; empty at the end of the stream
   * @throws IOException when reading fails, or the stream ends inside a record
   */
  public Optional<FrameSample> next() throws IOException {
    while (true) {
      long length = readLength();
      if (length < 0) {
        return Optional.empty();
      }
      if (length > MAX_RECORD_BYTES) {
        throw new IOException("record of " + length + " bytes: not a Monado metrics stream");
      }
      byte[] record = in.readNBytes((int) length);
      if (record.length < length) {
        throw new EOFException("stream ended inside a record");
      }
      try {
        Optional<FrameSample> frame = record(new ProtobufReader(record, 0, record.length));
        if (frame.isPresent()) {
          return frame;
        }
      } catch (ProtobufReader.MalformedProtobufException e) {
        rejected++;
        lastProblem = e.getMessage();
      }
    }
  }

  /** Records that were not valid protobuf. */
  public long rejected() {
    return rejected;
  }

  /** Why the last rejected record was rejected; null when none was. */
  public String lastProblem() {
    return lastProblem;
  }

  /** The stream's {@code major.minor} version record; null before one was read. */
  public String version() {
    return version;
  }

  private long readLength() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.read();
      if (b < 0) {
        if (shift == 0) {
          return -1;
        }
        throw new EOFException("stream ended inside a length prefix");
      }
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("length prefix longer than 5 bytes: not a Monado metrics stream");
  }

  private Optional<FrameSample> record(ProtobufReader record) {
    Optional<FrameSample> frame = Optional.empty();
    while (record.hasMore()) {
      int tag = record.tag();
      int field = tag >>> 3;
      int wireType = tag & 7;
      if (field == 1 && wireType == ProtobufReader.LENGTH_DELIMITED) {
        readVersion(record.message());
      } else if (field == 2 && wireType == ProtobufReader.LENGTH_DELIMITED) {
        frame = sessionFrame(record.message());
      } else {
        record.skip(wireType);
      }
    }
    return frame;
  }

  private void readVersion(ProtobufReader message) {
    long major = 0;
    long minor = 0;
    while (message.hasMore()) {
      int tag = message.tag();
      if (tag == (1 << 3)) {
        major = message.varint();
      } else if (tag == (2 << 3)) {
        minor = message.varint();
      } else {
        message.skip(tag & 7);
      }
    }
    version = major + "." + minor;
  }

  private Optional<FrameSample> sessionFrame(ProtobufReader message) {
    long frameId = 0;
    long predictedGpuDone = 0;
    long predictedDisplay = 0;
    long period = 0;
    long display = 0;
    long gpuDone = 0;
    boolean discarded = false;
    while (message.hasMore()) {
      int tag = message.tag();
      int wireType = tag & 7;
      if (wireType != ProtobufReader.VARINT) {
        message.skip(wireType);
        continue;
      }
      long value = message.varint();
      switch (tag >>> 3) {
        case 2 -> frameId = value;
        case 5 -> predictedGpuDone = value;
        case 6 -> predictedDisplay = value;
        case 7 -> period = value;
        case 8 -> display = value;
        case 13 -> gpuDone = value;
        case 14 -> discarded = value != 0;
        default -> {}
      }
    }
    long lateness =
        gpuDone > 0 && predictedGpuDone > 0 ? Math.max(0, gpuDone - predictedGpuDone) : 0;
    if (discarded) {
      discardedSincePrevious++;
      return Optional.of(
          new FrameSample(Math.max(0, frameId), 0, Math.max(lateness, Math.max(0, period)), 1));
    }
    long shownAt = display > 0 ? display : predictedDisplay;
    long frameNanos = previousDisplay < 0 ? 0 : Math.max(0, shownAt - previousDisplay);
    int dropped = 0;
    if (previousDisplay >= 0 && period > 0) {
      long skipped = Math.round((double) frameNanos / period) - 1;
      dropped = (int) Math.max(0, Math.min(Integer.MAX_VALUE, skipped - discardedSincePrevious));
    }
    if (dropped > 0 && lateness == 0) {
      lateness = Math.max(0, frameNanos - period);
    }
    previousDisplay = shownAt;
    discardedSincePrevious = 0;
    return Optional.of(new FrameSample(Math.max(0, frameId), frameNanos, lateness, dropped));
  }
}
