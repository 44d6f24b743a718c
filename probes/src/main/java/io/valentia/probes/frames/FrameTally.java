package io.valentia.probes.frames;

import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.FrameStats;
import java.util.Arrays;
import java.util.Optional;

/**
 * Turns frame samples into what the probe reports: a {@link FrameDropped} per burst of drops (a
 * burst ends at the first on-time frame), {@link FrameStats} per interval, and totals for the whole
 * run. Thread-safe: a render loop feeds it while a timer takes intervals.
 */
public final class FrameTally {
  private final int hz;
  private final String source;
  private final boolean recordTime;

  private long[] intervalFrameNanos = new long[256];
  private int intervalFrames;
  private int intervalDropped;
  private long intervalStart;

  private long burstFirst = -1;
  private long burstLast;
  private int burstFrames;
  private long burstWorstLateness;

  private long totalFrames;
  private long totalDropped;
  private long bursts;
  private final LatenessHistogram lateness = new LatenessHistogram();

  /**
   * @param hz the target refresh rate
   * @param source {@code loop}, {@code openvr} or {@code monado}
   * @param startNanos {@link System#nanoTime()} when the first interval starts
   */
  public FrameTally(int hz, String source, long startNanos) {
    this(hz, source, startNanos, false);
  }

  /**
   * @param hz the target refresh rate
   * @param source {@code loop}, {@code openvr} or {@code monado}
   * @param startNanos {@link System#nanoTime()} when the first interval starts
   * @param recordTime whether an interval's fps and length come from the frames' own times (the sum
   *     of their frame times: a compositor's records, which may be read much faster or slower than
   *     they were made) rather than from the clock between two {@link #interval} calls; an interval
   *     whose frames carry no time falls back to the clock
   */
  public FrameTally(int hz, String source, long startNanos, boolean recordTime) {
    this.hz = hz;
    this.source = source;
    this.intervalStart = startNanos;
    this.recordTime = recordTime;
  }

  /**
   * Counts one frame.
   *
   * @return the burst this frame ended (it was on time after drops); empty otherwise
   */
  public synchronized Optional<FrameDropped> accept(FrameSample frame) {
    if (intervalFrames == intervalFrameNanos.length) {
      intervalFrameNanos = Arrays.copyOf(intervalFrameNanos, intervalFrames * 2);
    }
    intervalFrameNanos[intervalFrames++] = frame.frameNanos();
    intervalDropped += frame.dropped();
    totalFrames++;
    totalDropped += frame.dropped();
    lateness.add(frame.latenessNanos() / 1000);
    if (frame.dropped() == 0) {
      return endBurst();
    }
    if (burstFirst < 0) {
      burstFirst = frame.index();
      burstWorstLateness = 0;
      burstFrames = 0;
    }
    burstFrames += frame.dropped();
    burstLast = frame.index() + frame.dropped() - 1;
    burstWorstLateness = Math.max(burstWorstLateness, frame.latenessNanos());
    return Optional.empty();
  }

  /** Ends the current burst, if any (at the end of a run). */
  public synchronized Optional<FrameDropped> endBurst() {
    if (burstFirst < 0) {
      return Optional.empty();
    }
    FrameDropped burst =
        new FrameDropped(hz, burstFrames, burstFirst, burstLast, burstWorstLateness / 1000, source);
    burstFirst = -1;
    bursts++;
    return Optional.of(burst);
  }

  /** The stats since the last call (or the start), starting a new interval at {@code nowNanos}. */
  public synchronized FrameStats interval(long nowNanos) {
    long length = Math.max(1, nowNanos - intervalStart);
    long[] times = Arrays.copyOf(intervalFrameNanos, intervalFrames);
    Arrays.sort(times);
    long timed = intervalFrames;
    if (recordTime) {
      long span = 0;
      long withTime = 0;
      for (long t : times) {
        span += t;
        withTime += t > 0 ? 1 : 0;
      }
      if (span > 0) {
        length = span;
        timed = withTime;
      }
    }
    FrameStats stats =
        new FrameStats(
            hz,
            intervalFrames,
            intervalDropped,
            Math.round(timed * 1e11 / length) / 100.0,
            percentile(times, 0.50) / 1000,
            percentile(times, 0.99) / 1000,
            times.length == 0 ? 0 : times[times.length - 1] / 1000,
            Math.max(1, length / 1_000_000),
            source,
            histogram(times));
    intervalFrames = 0;
    intervalDropped = 0;
    intervalStart = nowNanos;
    return stats;
  }

  /** Totals of the whole run so far. */
  public synchronized Summary summary() {
    return new Summary(totalFrames, totalDropped, bursts, lateness.percentile(0.99));
  }

  /** Width of a frame-time bucket in the stats' histogram. */
  static final int BUCKET_MICROS = 500;

  /** Frame times in 0.5 ms buckets up to four frame budgets; the last bucket holds the rest. */
  private FrameStats.Histogram histogram(long[] frameNanos) {
    long budgetMicros = 1_000_000L / hz;
    int buckets = (int) Math.min(1000, Math.max(4, (4 * budgetMicros) / BUCKET_MICROS + 1));
    Integer[] counts = new Integer[buckets];
    Arrays.fill(counts, 0);
    for (long nanos : frameNanos) {
      int bucket = (int) Math.min(buckets - 1, nanos / 1000 / BUCKET_MICROS);
      counts[bucket]++;
    }
    return new FrameStats.Histogram(BUCKET_MICROS, Arrays.asList(counts));
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  /**
   * Totals of a run.
   *
   * @param frames frames presented
   * @param dropped vsyncs without a new frame
   * @param bursts bursts of drops that ended
   * @param p99LatenessMicros the 99th percentile of lateness past the deadline over every frame
   */
  public record Summary(long frames, long dropped, long bursts, long p99LatenessMicros) {
    /** Dropped vsyncs as a percentage of all vsyncs (presented frames plus drops). */
    public double dropPercent() {
      long vsyncs = frames + dropped;
      return vsyncs == 0 ? 0 : 100.0 * dropped / vsyncs;
    }
  }

  /**
   * Lateness in microseconds in buckets of 100 µs up to 1 s, then one bucket per second up to a
   * minute: constant memory for a probe that runs for days.
   */
  private static final class LatenessHistogram {
    private final long[] fine = new long[10_000];
    private final long[] coarse = new long[61];
    private long count;

    void add(long micros) {
      count++;
      if (micros < 1_000_000) {
        fine[(int) (micros / 100)]++;
      } else {
        coarse[(int) Math.min(60, micros / 1_000_000)]++;
      }
    }

    long percentile(double p) {
      if (count == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(p * count);
      long seen = 0;
      for (int i = 0; i < fine.length; i++) {
        seen += fine[i];
        if (seen >= rank) {
          return i == 0 ? 0 : (i + 1) * 100L;
        }
      }
      for (int i = 1; i < coarse.length; i++) {
        seen += coarse[i];
        if (seen >= rank) {
          return (i + 1) * 1_000_000L;
        }
      }
      return 61_000_000L;
    }
  }
}
