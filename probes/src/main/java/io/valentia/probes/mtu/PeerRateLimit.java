package io.valentia.probes.mtu;

import io.valentia.eventbus.ValentiaException;

/** Spaces one peer's requests at least 1/rate seconds apart. */
final class PeerRateLimit {
  private final long intervalNanos;
  private long next = System.nanoTime();

  PeerRateLimit(double perSecond) {
    this.intervalNanos = (long) (1_000_000_000L / perSecond);
  }

  void acquire() {
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      next = Math.max(next, now);
      wait = next - now;
      next += intervalNanos;
    }
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ValentiaException("interrupted while probing", e);
      }
    }
  }
}
