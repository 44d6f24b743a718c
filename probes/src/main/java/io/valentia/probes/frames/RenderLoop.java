package io.valentia.probes.frames;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A stand-in for a VR render loop: every vsync period it does a fixed amount of CPU work for the
 * next frame, then waits for the vsync. A frame ready after its vsync misses it; the loop then
 * presents at the next vsync after the frame was ready, so one late frame drops one vsync per
 * period it is late (a missed deadline plus the vsyncs skipped while behind), exactly what a
 * compositor shows as repeated frames. Measured with {@link System#nanoTime()}.
 *
 * <p>Runs on the thread that calls {@link #run()} (give it its own); {@link #stop()} may be called
 * from any thread.
 */
public final class RenderLoop implements Runnable {
  private final int hz;
  private final long periodNanos;
  private final long workNanos;
  private final Consumer<FrameSample> sink;
  private volatile boolean stopped;
  private volatile long workResult;

  /**
   * @param hz refresh rate, 1 to 1000 (VR headsets run at 90, 120 or 144)
   * @param work CPU work per frame; shorter than the period
   * @param sink receives every frame, on the loop's thread; must return quickly
   * @throws IllegalArgumentException when the rate or the work is out of range
   */
  public RenderLoop(int hz, Duration work, Consumer<FrameSample> sink) {
    if (hz < 1 || hz > 1000) {
      throw new IllegalArgumentException("hz must be 1 to 1000, found " + hz);
    }
    this.hz = hz;
    this.periodNanos = 1_000_000_000L / hz;
    this.workNanos = work.toNanos();
    if (workNanos < 0 || workNanos >= periodNanos) {
      throw new IllegalArgumentException(
          "per-frame work must be shorter than the "
              + (periodNanos / 1000) / 1000.0
              + " ms frame budget at "
              + hz
              + " Hz, found "
              + work.toNanos() / 1e6
              + " ms");
    }
    this.sink = sink;
  }

  public int hz() {
    return hz;
  }

  /** The frame budget in nanoseconds (11,111,111 at 90 Hz). */
  public long periodNanos() {
    return periodNanos;
  }

  /** Runs until {@link #stop()}. */
  @Override
  public void run() {
    long start = System.nanoTime();
    long lastPresent = start;
    long target = 1; // the vsync the next frame is meant for
    boolean first = true;
    while (!stopped) {
      long deadline = start + target * periodNanos;
      render();
      long ready = System.nanoTime();
      long presentAt;
      long presentVsync;
      if (ready <= deadline) {
        presentVsync = target;
        presentAt = deadline;
      } else {
        presentVsync = (ready - start + periodNanos - 1) / periodNanos;
        presentAt = start + presentVsync * periodNanos;
      }
      waitUntil(presentAt);
      int dropped = (int) Math.min(Integer.MAX_VALUE, presentVsync - target);
      sink.accept(
          new FrameSample(
              target, first ? 0 : presentAt - lastPresent, Math.max(0, ready - deadline), dropped));
      first = false;
      lastPresent = presentAt;
      target = presentVsync + 1;
    }
  }

  /** Stops the loop after the current frame. */
  public void stop() {
    stopped = true;
  }

  private void render() {
    long until = System.nanoTime() + workNanos;
    long x = workResult | 1;
    while (System.nanoTime() < until) {
      for (int i = 0; i < 64; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
    }
    workResult = x; // keeps the work from being optimised away
  }

  private static void waitUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }
}
