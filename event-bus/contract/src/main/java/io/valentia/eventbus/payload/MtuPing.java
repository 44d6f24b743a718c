package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * One echo request of a given size to a peer and what became of it.
 *
 * @param peer the peer as {@code host:port} (UDP agent) or host (ICMP)
 * @param sizeBytes payload bytes sent (1472 fills an MTU of 1500, 8972 one of 9000)
 * @param ok whether the reply came back
 * @param rttMicros round-trip time in microseconds; null when {@code ok} is false
 * @param direction {@code out} (request lost), {@code in} (reply lost), {@code both} or {@code
 *     unknown}; for a passing ping always {@code both}
 * @param mode {@code udp} (Valentia echo agent) or {@code icmp} (system ping)
 */
public record MtuPing(
    String peer, int sizeBytes, boolean ok, Long rttMicros, String direction, String mode)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.PROBE_MTU_PING;
  }
}
