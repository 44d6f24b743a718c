package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * A lessor granted a lessee exclusive use of a resource.
 *
 * @param leaseId the lease id
 * @param resource the leased resource, e.g. {@code hmd-0}
 * @param lessee who holds it
 * @param termMs the term in milliseconds; renewals extend it
 * @param expiresAt when it expires without a renewal
 */
public record LeaseGranted(
    String leaseId, String resource, Lessee lessee, long termMs, Instant expiresAt)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.LEASE_GRANTED;
  }
}
