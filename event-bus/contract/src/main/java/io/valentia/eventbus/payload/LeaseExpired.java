package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.time.Instant;

/**
 * A lease ran out because its lessee stopped renewing it.
 *
 * @param leaseId the lease id
 * @param resource the leased resource
 * @param lessee who held it
 * @param lastRenewal the last renewal (or the grant); null when unknown
 */
public record LeaseExpired(String leaseId, String resource, Lessee lessee, Instant lastRenewal)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.LEASE_EXPIRED;
  }
}
