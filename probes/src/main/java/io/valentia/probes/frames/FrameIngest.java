package io.valentia.probes.frames;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows a compositor's frame timing in a file or named pipe and hands every frame to a sink. Its
 * {@link #run()} blocks until {@link #stop()} (or, with a pipe that will not reopen, forever): give
 * it its own thread.
 */
public final class FrameIngest implements Runnable {
  /** The timing formats read. */
  public enum Format {
    /** OpenVR {@code Compositor_FrameTiming} records as JSON lines. */
    OPENVR,
    /** Monado's {@code XRT_METRICS_FILE}: length-prefixed protobuf records. */
    MONADO;

    /** The event {@code source} value: {@code openvr} or {@code monado}. */
    public String sourceName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Format format;
  private final Path path;
  private final int hz;
  private final Consumer<FrameSample> sink;
  private final FollowedFile file;
  private volatile long rejected;
  private volatile String lastProblem;
  private volatile IOException failure;

  /**
   * @param fromStart read a regular file from its start (else only what is appended)
   * @param hz the headset's refresh rate, for formats that do not carry it
   */
  public FrameIngest(
      Format format, Path path, boolean fromStart, int hz, Consumer<FrameSample> sink) {
    this.format = format;
    this.path = path;
    this.hz = hz;
    this.sink = sink;
    this.file = new FollowedFile(path, fromStart);
  }

  @Override
  public void run() {
    try {
      if (format == Format.OPENVR) {
        readOpenVr();
      } else {
        readMonado();
      }
    } catch (IOException e) {
      failure = e;
    }
  }

  private void readOpenVr() throws IOException {
    OpenVrFrameTimingParser parser = new OpenVrFrameTimingParser(hz);
    BufferedReader lines = new BufferedReader(new InputStreamReader(file, StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null) {
      parser.parse(line).ifPresent(sink);
      rejected = parser.rejected();
      lastProblem = parser.lastProblem();
    }
  }

  private void readMonado() throws IOException {
    MonadoMetricsReader reader = new MonadoMetricsReader(file);
    Optional<FrameSample> frame;
    while ((frame = reader.next()).isPresent()) {
      sink.accept(frame.get());
      rejected = reader.rejected();
      lastProblem = reader.lastProblem();
    }
  }

  /** Stops following; {@link #run()} returns soon after. */
  public void stop() {
    try {
      file.close();
    } catch (IOException e) {
      // closing is best effort
    }
  }

  public Format format() {
    return format;
  }

  public Path path() {
    return path;
  }

  /** Lines or records that were not the format. */
  public long rejected() {
    return rejected;
  }

  /** Why the last rejected input was rejected; null when none was. */
  public String lastProblem() {
    return lastProblem;
  }

  /** Why reading stopped, when it failed; null otherwise. */
  public IOException failure() {
    return failure;
  }
}
