package io.valentia.probes.frames;

/**
 * The drop rate a render loop shows on this machine when nothing is wrong, so that a real deviation
 * can be told from the noise of a busy machine. It is an exponentially weighted mean of drops per
 * interval, learnt only from intervals that do not deviate (a fault does not become the new
 * normal). An interval deviates when it drops more than {@code 3 × baseline + 2} frames, once
 * {@link #WARM_UP} intervals have been seen. Thread-safe.
 */
public final class DropBaseline {
  /** Intervals seen before anything can deviate. */
  public static final int WARM_UP = 5;

  private static final double WEIGHT = 0.1;
  private double dropsPerInterval;
  private long intervals;

  /** A baseline with nothing learnt yet. */
  public DropBaseline() {}

  /** A baseline resumed from what an earlier run learnt. */
  public DropBaseline(double dropsPerInterval, long intervals) {
    if (dropsPerInterval < 0 || intervals < 0) {
      throw new IllegalArgumentException("negative baseline");
    }
    this.dropsPerInterval = dropsPerInterval;
    this.intervals = intervals;
  }

  /**
   * Records one interval's drops.
   *
   * @return whether that interval deviates from the baseline (it then does not change it)
   */
  public synchronized boolean observe(int drops) {
    if (deviates(drops)) {
      return true;
    }
    dropsPerInterval =
        intervals == 0 ? drops : dropsPerInterval + WEIGHT * (drops - dropsPerInterval);
    intervals++;
    return false;
  }

  /** Whether {@code drops} in one interval is more than the noise, without learning from it. */
  public synchronized boolean deviates(int drops) {
    return intervals >= WARM_UP && drops > 3 * dropsPerInterval + 2;
  }

  /** The learnt drops per interval (per second for the probes). */
  public synchronized double dropsPerInterval() {
    return dropsPerInterval;
  }

  /** How many intervals it learnt from. */
  public synchronized long intervals() {
    return intervals;
  }
}
