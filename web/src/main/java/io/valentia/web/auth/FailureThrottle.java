package io.valentia.web.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Throttles failed authentication: a token bucket per key (a client address, a principal) holding
 * {@code failures} allowances, refilled evenly over {@code per}. Each failure takes one; a key
 * whose bucket is empty is throttled until the next allowance comes back. Successes take nothing,
 * so a client that never fails is never slowed. Buckets that are full again are forgotten, so the
 * memory follows the keys that failed recently. Thread-safe; does not block.
 */
public final class FailureThrottle {
  /** What a failure did to its key's bucket. */
  public enum Outcome {
    /** Counted; allowances remain. */
    COUNTED,
    /** Counted, and it took the last allowance: throttling of the key starts now. */
    STARTED,
    /** The key was throttled already. */
    THROTTLED
  }

  private final double capacity;
  private final double refillPerNano;
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** A bucket's allowances at the time they were counted (nano time). */
  private record Bucket(double allowances, long at) {}

  /**
   * @param failures the allowances of a bucket (at least 1)
   * @param per the time in which an empty bucket fills up again
   */
  public FailureThrottle(int failures, Duration per) {
    this(failures, per, System::nanoTime);
  }

  FailureThrottle(int failures, Duration per, LongSupplier nanos) {
    if (failures < 1 || per.isZero() || per.isNegative()) {
      throw new IllegalArgumentException(
          "a throttle needs at least 1 failure over a positive time");
    }
    this.capacity = failures;
    this.refillPerNano = failures / (double) per.toNanos();
    this.nanos = nanos;
  }

  /** How long {@code key} is still throttled; zero when it is not. */
  public Duration retryAfter(String key) {
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      return Duration.ZERO;
    }
    double now = level(bucket, nanos.getAsLong());
    if (now >= 1) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - now) / refillPerNano));
  }

  /** Counts a failure of {@code key}. */
  public Outcome fail(String key) {
    long now = nanos.getAsLong();
    Outcome[] outcome = new Outcome[1];
    buckets.compute(
        key,
        (k, bucket) -> {
          double level = bucket == null ? capacity : level(bucket, now);
          if (level < 1) {
            outcome[0] = Outcome.THROTTLED;
            return new Bucket(level, now);
          }
          level -= 1;
          outcome[0] = level < 1 ? Outcome.STARTED : Outcome.COUNTED;
          return new Bucket(level, now);
        });
    if (buckets.size() > 10_000) {
      forgetFull(now);
    }
    return outcome[0];
  }

  /** How many keys have a bucket that is not full (for tests and health). */
  int tracked() {
    forgetFull(nanos.getAsLong());
    return buckets.size();
  }

  private void forgetFull(long now) {
    buckets.entrySet().removeIf(e -> level(e.getValue(), now) >= capacity);
  }

  private double level(Bucket bucket, long now) {
    return Math.min(capacity, bucket.allowances() + (now - bucket.at()) * refillPerNano);
  }
}
