package io.valentia.probes.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MonadoMetricsReaderTest {
  private static final long PERIOD = 11_111_111L; // 90 Hz
  private static final long T0 = 1_000_000_000_000L;

  @Test
  @DisplayName("Session frames are read from a length-prefixed Monado metrics stream")
  void readsSessionFrames() throws IOException {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    delimited(stream, record(1, message(varint(1, 1), varint(2, 2)))); // Version 1.2
    delimited(stream, record(2, sessionFrame(100, T0, T0 - 3_000_000, T0 - 3_100_000, false)));
    delimited(stream, record(4, message(varint(1, 7), varint(2, T0)))); // a SystemFrame: skipped
    delimited(stream, record(2, sessionFrame(101, T0 + PERIOD, T0 + PERIOD - 3_000_000, 0, false)));
    // frame 102 is discarded, 103 is shown two periods after 101: only the discard is a drop
    delimited(stream, record(2, sessionFrame(102, T0 + 2 * PERIOD, 0, 0, true)));
    delimited(stream, record(2, sessionFrame(103, T0 + 3 * PERIOD, 0, 0, false)));
    // frame 104 comes three periods after 103: two vsyncs were skipped; GPU 4 ms late
    delimited(
        stream,
        record(
            2,
            sessionFrame(
                104,
                T0 + 6 * PERIOD,
                T0 + 6 * PERIOD - 3_000_000,
                T0 + 6 * PERIOD + 1_000_000,
                false)));

    MonadoMetricsReader reader =
        new MonadoMetricsReader(new ByteArrayInputStream(stream.toByteArray()));
    List<FrameSample> frames = new ArrayList<>();
    Optional<FrameSample> frame;
    while ((frame = reader.next()).isPresent()) {
      frames.add(frame.get());
    }

    assertThat(reader.version()).isEqualTo("1.2");
    assertThat(frames).extracting(FrameSample::index).containsExactly(100L, 101L, 102L, 103L, 104L);
    assertThat(frames).extracting(FrameSample::dropped).containsExactly(0, 0, 1, 0, 2);
    assertThat(frames.get(1).frameNanos()).isEqualTo(PERIOD);
    assertThat(frames.get(4).frameNanos()).isEqualTo(3 * PERIOD);
    assertThat(frames.get(4).latenessNanos()).isEqualTo(4_000_000L);
    assertThat(frames.get(0).latenessNanos()).isZero();
    // a discarded frame without GPU times missed its vsync: at least a period late, never 0
    assertThat(frames.get(2).latenessNanos()).isEqualTo(PERIOD);
  }

  @Test
  @DisplayName(
      "A burst of Monado drops reports how late its frames were, not 0 ms, when no GPU time is"
          + " logged")
  void dropsWithoutGpuTimesAreLate() throws IOException {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    delimited(stream, record(2, sessionFrame(100, T0, 0, 0, false)));
    // 101 is shown three periods after 100, with no GPU times: two vsyncs skipped
    delimited(stream, record(2, sessionFrame(101, T0 + 3 * PERIOD, 0, 0, false)));
    delimited(stream, record(2, sessionFrame(102, T0 + 4 * PERIOD, 0, 0, false)));
    delimited(stream, record(2, sessionFrame(103, T0 + 5 * PERIOD, 0, 0, true)));
    delimited(stream, record(2, sessionFrame(104, T0 + 6 * PERIOD, 0, 0, false)));
    MonadoMetricsReader reader =
        new MonadoMetricsReader(new ByteArrayInputStream(stream.toByteArray()));
    FrameTally tally = new FrameTally(90, "monado", 0, true);
    List<io.valentia.eventbus.payload.FrameDropped> bursts = new ArrayList<>();
    Optional<FrameSample> frame;
    while ((frame = reader.next()).isPresent()) {
      tally.accept(frame.get()).ifPresent(bursts::add);
    }

    assertThat(bursts).hasSize(2);
    assertThat(bursts.get(0).frames()).isEqualTo(2);
    assertThat(bursts.get(0).worstLatenessMicros()).isEqualTo(2 * PERIOD / 1000);
    assertThat(bursts.get(1).worstLatenessMicros()).isEqualTo(PERIOD / 1000);
  }

  @Test
  @DisplayName("A record that is not protobuf is counted and the stream read on")
  void skipsMalformedRecords() throws IOException {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    delimited(stream, new byte[] {(byte) 0x12, (byte) 0x7f, 1}); // claims 127 bytes, has 1
    delimited(stream, record(2, sessionFrame(7, T0, 0, 0, false)));

    MonadoMetricsReader reader =
        new MonadoMetricsReader(new ByteArrayInputStream(stream.toByteArray()));

    assertThat(reader.next()).hasValueSatisfying(f -> assertThat(f.index()).isEqualTo(7));
    assertThat(reader.rejected()).isEqualTo(1);
    assertThat(reader.next()).isEmpty();
  }

  @Test
  @DisplayName("A stream cut inside a record is an error, not a silent end")
  void truncatedStream() throws IOException {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    byte[] record = record(2, sessionFrame(7, T0, 0, 0, false));
    stream.write(record.length);
    stream.write(record, 0, record.length - 3);

    MonadoMetricsReader reader =
        new MonadoMetricsReader(new ByteArrayInputStream(stream.toByteArray()));

    assertThatThrownBy(reader::next).isInstanceOf(EOFException.class);
  }

  // --- a protobuf writer for the fixture, following monado_metrics.proto's field numbers ---

  private static byte[] sessionFrame(
      long frameId, long displayTime, long predictedGpuDone, long gpuDone, boolean discarded) {
    return message(
        varint(1, 1), // session_id
        varint(2, frameId),
        varint(3, PERIOD), // predicted_frame_time_ns
        varint(5, predictedGpuDone),
        varint(6, displayTime), // predicted_display_time_ns
        varint(7, PERIOD), // predicted_display_period_ns
        varint(8, displayTime), // display_time_ns
        varint(13, gpuDone),
        varint(14, discarded ? 1 : 0));
  }

  private static byte[] record(int field, byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, (long) field << 3 | 2);
    writeVarint(out, message.length);
    out.writeBytes(message);
    return out.toByteArray();
  }

  private static byte[] message(byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] field : fields) {
      out.writeBytes(field);
    }
    return out.toByteArray();
  }

  private static byte[] varint(int field, long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (value != 0) { // proto3 leaves out default values
      writeVarint(out, (long) field << 3);
      writeVarint(out, value);
    }
    return out.toByteArray();
  }

  private static void delimited(ByteArrayOutputStream out, byte[] record) {
    writeVarint(out, record.length);
    out.writeBytes(record);
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) (value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
  }
}
