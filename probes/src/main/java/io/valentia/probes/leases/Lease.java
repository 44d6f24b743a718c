package io.valentia.probes.leases;

import io.valentia.eventbus.payload.Lessee;
import java.time.Instant;

/**
 * A lease as the lease service holds it.
 *
 * @param id unique id
 * @param resource the leased resource, e.g. {@code hmd-0}
 * @param lessee who holds it (its pid is watched when given)
 * @param termMs how long a grant or renewal lasts
 * @param grantedAt when it was granted
 * @param lastRenewal the last renewal, or the grant
 * @param expiresAt when it expires without another renewal
 */
public record Lease(
    String id,
    String resource,
    Lessee lessee,
    long termMs,
    Instant grantedAt,
    Instant lastRenewal,
    Instant expiresAt) {

  /** A copy renewed at {@code now} for another term. */
  Lease renewedAt(Instant now) {
    return new Lease(id, resource, lessee, termMs, grantedAt, now, now.plusMillis(termMs));
  }
}
