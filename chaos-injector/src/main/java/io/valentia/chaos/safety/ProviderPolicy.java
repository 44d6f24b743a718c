package io.valentia.chaos.safety;

import java.time.Duration;

/**
 * How the {@code process} and {@code http} providers run.
 *
 * @param allowList what they may call
 * @param processUser the user processes run as when the injector runs as root (through {@code
 *     setpriv}, with no supplementary groups and no new privileges); ignored otherwise, as only
 *     root can change user. {@code root} keeps root.
 * @param timeout the limit of a process or HTTP call whose activity gives no {@code timeout}
 */
public record ProviderPolicy(ProviderAllowList allowList, String processUser, Duration timeout) {
  /** The default user of processes: an account that owns nothing. */
  public static final String DEFAULT_USER = "nobody";

  /** The default limit of a call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Nothing allowed, as {@code nobody}, 30 s. */
  public static ProviderPolicy closed() {
    return new ProviderPolicy(ProviderAllowList.none(), DEFAULT_USER, DEFAULT_TIMEOUT);
  }

  /** A copy with another allow-list. */
  public ProviderPolicy withAllowList(ProviderAllowList list) {
    return new ProviderPolicy(list, processUser, timeout);
  }
}
