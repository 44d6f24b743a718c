package io.valentia.chaos.faults;

/**
 * A token bucket for a bandwidth limit: {@code bytesPerSecond} tokens a second, a burst of at most
 * a twentieth of a second. A sender takes tokens for what it sends and waits as long as {@link
 * #take} says, so a chunk larger than the burst is let through and paid for afterwards.
 * Thread-safe.
 */
final class TokenBucket {
  private final long bytesPerSecond;
  private final double capacity;
  private double tokens;
  private final java.util.function.LongSupplier nanoTime;
  private long refilled;

  TokenBucket(long bytesPerSecond) {
    this(bytesPerSecond, System::nanoTime);
  }

  /**
   * @param nanoTime the clock, as {@link System#nanoTime()} (tests)
   */
  TokenBucket(long bytesPerSecond, java.util.function.LongSupplier nanoTime) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bytesPerSecond must be positive");
    }
    this.bytesPerSecond = bytesPerSecond;
    this.capacity = Math.max(1, bytesPerSecond / 20.0);
    this.tokens = capacity;
    this.nanoTime = nanoTime;
    this.refilled = nanoTime.getAsLong();
  }

  /**
   * Takes {@code bytes} tokens.
   *
   * @return how long the sender must wait before sending them, in nanoseconds (0 for at once)
   */
  synchronized long take(long bytes) {
    long now = nanoTime.getAsLong();
    tokens = Math.min(capacity, tokens + (now - refilled) * bytesPerSecond / 1e9);
    refilled = now;
    tokens -= bytes;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
  }
}
