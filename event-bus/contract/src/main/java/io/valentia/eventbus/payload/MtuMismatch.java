package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * Small packets reach a peer but large ones do not: a path MTU smaller than the interfaces claim
 * (the jumbo-frame black hole).
 *
 * @param peer the peer as {@code host:port} or host
 * @param largestPassingBytes the largest payload that passed
 * @param smallestFailingBytes the smallest payload that failed
 * @param estimatedPathMtu the estimated path MTU in bytes (payload + IP and UDP/ICMP headers)
 * @param direction {@code out}, {@code in}, {@code both} or {@code unknown}
 */
public record MtuMismatch(
    String peer,
    int largestPassingBytes,
    int smallestFailingBytes,
    int estimatedPathMtu,
    String direction)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.PROBE_MTU_MISMATCH;
  }
}
