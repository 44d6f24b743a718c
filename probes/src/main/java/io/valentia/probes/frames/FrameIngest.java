package io.valentia.probes.frames;

import io.valentia.probes.follow.FollowedFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows a compositor's frame timing in a file or named pipe and hands every frame to a sink. Its
 * {@link #run()} blocks until {@link #stop()} (or, with a pipe that will not reopen, forever): give
 * it its own thread.
 *
 * <p>With {@code retry}, a failure (a file that cannot be opened, a read error, a stream that is
 * not the format) does not end it: it waits {@link #RETRY} and follows the file again from its end
 * (a pipe: from its next writer), and {@link #problem()} says what is wrong until it reads again.
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

  /** How long a retrying ingest waits after a failure before it follows the file again. */
  public static final Duration RETRY = Duration.ofSeconds(1);

  private final Format format;
  private final Path path;
  private final int hz;
  private final Consumer<FrameSample> sink;
  private final boolean retry;
  private volatile FollowedFile file;
  private volatile boolean stopped;
  private volatile long frames;
  private volatile long rejected;
  private volatile String lastProblem;
  private volatile IOException failure;
  private volatile boolean failedOpening;
  private volatile long framesAtFailure;
  private long rejectedBefore;

  /**
   * @param fromStart read a regular file from its start (else only what is appended)
   * @param hz the headset's refresh rate, for formats that do not carry it
   */
  public FrameIngest(
      Format format, Path path, boolean fromStart, int hz, Consumer<FrameSample> sink) {
    this(format, path, fromStart, hz, sink, false);
  }

  /**
   * @param fromStart read a regular file from its start (else only what is appended)
   * @param hz the headset's refresh rate, for formats that do not carry it
   * @param retry keep following after a failure (the service) rather than end (a command)
   */
  public FrameIngest(
      Format format,
      Path path,
      boolean fromStart,
      int hz,
      Consumer<FrameSample> sink,
      boolean retry) {
    this.format = format;
    this.path = path;
    this.hz = hz;
    this.sink = sink;
    this.retry = retry;
    this.file = FollowedFile.follow(path, fromStart);
  }

  @Override
  public void run() {
    while (!stopped) {
      FollowedFile current = file;
      try {
        if (format == Format.OPENVR) {
          readOpenVr(current);
        } else {
          readMonado(current);
        }
        return; // the file was closed: stopped
      } catch (IOException e) {
        failedOpening = current.opens() == 0;
        framesAtFailure = frames;
        failure = e;
        if (!retry || stopped || !pauseBeforeRetry()) {
          return;
        }
        file = FollowedFile.follow(path, false);
        if (stopped) {
          return;
        }
      }
    }
  }

  private boolean pauseBeforeRetry() {
    try {
      Thread.sleep(RETRY.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void deliver(FrameSample frame) {
    frames++;
    sink.accept(frame);
  }

  private void readOpenVr(FollowedFile in) throws IOException {
    OpenVrFrameTimingParser parser = new OpenVrFrameTimingParser(hz);
    long before = rejectedBefore;
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null) {
      parser.parse(line).ifPresent(this::deliver);
      rejectedBefore = before + parser.rejected();
      rejected = rejectedBefore;
      lastProblem = parser.lastProblem() != null ? parser.lastProblem() : lastProblem;
    }
  }

  private void readMonado(FollowedFile in) throws IOException {
    MonadoMetricsReader reader = new MonadoMetricsReader(in);
    long before = rejectedBefore;
    Optional<FrameSample> frame;
    while ((frame = reader.next()).isPresent()) {
      deliver(frame.get());
      rejectedBefore = before + reader.rejected();
      rejected = rejectedBefore;
      lastProblem = reader.lastProblem() != null ? reader.lastProblem() : lastProblem;
    }
  }

  /** Stops following; {@link #run()} returns soon after. */
  public void stop() {
    stopped = true;
    try {
      file.close();
    } catch (IOException e) {
      // closing is best effort
    }
  }

  /**
   * What keeps frames from being read now, naming the file, e.g. {@code /run/openvr.jsonl: no such
   * file} or {@code /run/monado.metrics: cannot read: AccessDeniedException ...}; null while it is
   * followed. A failure to open is over once the file opens; a failure while reading once a frame
   * is read again. Any thread may ask.
   */
  public String problem() {
    FollowedFile current = file;
    IOException failed = failure;
    if (failed != null && (failedOpening ? current.opens() == 0 : frames == framesAtFailure)) {
      return path + ": " + (failedOpening ? "cannot open: " : "cannot read: ") + describe(failed);
    }
    String waiting = current.problem();
    return waiting == null ? null : path + ": " + waiting;
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Frames read so far. */
  public long frames() {
    return frames;
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
