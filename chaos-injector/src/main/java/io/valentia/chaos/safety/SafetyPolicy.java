package io.valentia.chaos.safety;

import java.time.Duration;

/**
 * The blast radius of one injector.
 *
 * @param allowList the targets faults may touch
 * @param maxConcurrentFaults how many faults may be active at once
 * @param maxFaultDuration the longest a single fault may last
 * @param providers what the process and http providers may call, and how
 */
public record SafetyPolicy(
    TargetAllowList allowList,
    int maxConcurrentFaults,
    Duration maxFaultDuration,
    ProviderPolicy providers) {

  /** A policy whose process and http providers may call nothing. */
  public SafetyPolicy(
      TargetAllowList allowList, int maxConcurrentFaults, Duration maxFaultDuration) {
    this(allowList, maxConcurrentFaults, maxFaultDuration, ProviderPolicy.closed());
  }

  /** Nothing allowed, 5 concurrent faults, 1 hour. */
  public static SafetyPolicy closed() {
    return new SafetyPolicy(TargetAllowList.none(), 5, Duration.ofHours(1));
  }
}
