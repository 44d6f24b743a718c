package io.valentia.probes.mtu;

import java.time.Duration;
import java.util.List;

/**
 * How the prober probes each peer.
 *
 * @param sizes payload sizes in bytes, ascending; the first is the safe size (e.g. 1472), a peer
 *     that does not answer it is unreachable; the others are probed after it (e.g. 8972)
 * @param timeout how long to wait for one reply
 * @param attempts how often a size is tried before it counts as failing (1 or more)
 * @param ratePerPeer at most this many requests per second to one peer
 * @param maxInFlight at most this many requests outstanding across all peers
 * @param pingCommand the system ping for ICMP peers
 */
public record MtuProbeSettings(
    List<Integer> sizes,
    Duration timeout,
    int attempts,
    double ratePerPeer,
    int maxInFlight,
    String pingCommand) {

  public static final List<Integer> DEFAULT_SIZES = List.of(1472, 8972);

  public MtuProbeSettings {
    sizes = sizes.stream().distinct().sorted().toList();
    if (sizes.isEmpty()) {
      throw new IllegalArgumentException("at least one size");
    }
    if (attempts < 1 || maxInFlight < 1 || !(ratePerPeer > 0)) {
      throw new IllegalArgumentException("attempts, maxInFlight and ratePerPeer must be positive");
    }
  }

  /** Defaults: 1472 and 8972 bytes, 1 s timeout, 2 attempts, 20 requests/s per peer, 16. */
  public static MtuProbeSettings defaults() {
    return new MtuProbeSettings(DEFAULT_SIZES, Duration.ofSeconds(1), 2, 20, 16, "ping");
  }
}
