package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * A lease ended before its term: the lessee exited or crashed, or the lessor took it back.
 *
 * @param leaseId the lease id
 * @param resource the leased resource
 * @param lessee who held it
 * @param reason {@code lessee-exit}, {@code lessee-crash} or {@code lessor-revoke}
 * @param detail a human-readable detail (an exit status, who revoked); null when none
 */
public record LeaseRevoked(
    String leaseId, String resource, Lessee lessee, String reason, String detail)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.LEASE_REVOKED;
  }
}
