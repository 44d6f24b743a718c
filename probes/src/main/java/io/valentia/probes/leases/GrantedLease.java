package io.valentia.probes.leases;

import io.valentia.eventbus.payload.Lessee;
import java.time.Instant;

/**
 * A lease as {@link io.valentia.eventbus.Topics#STATE_LEASES} holds it, under its id: written by
 * the lease service that granted it, removed (a tombstone) when it is revoked or expires. Renewals
 * are not written: a lease read back after a restart starts a fresh term, so its lessee has one
 * term to send its next heartbeat.
 *
 * @param lessor the lease service that granted it (its event source, {@code /leases/HOST})
 * @param id the lease id
 * @param resource the leased resource
 * @param lessee who holds it
 * @param termMs how long a grant or renewal lasts
 * @param grantedAt when it was granted
 */
public record GrantedLease(
    String lessor, String id, String resource, Lessee lessee, long termMs, Instant grantedAt) {

  static GrantedLease of(String lessor, Lease lease) {
    return new GrantedLease(
        lessor, lease.id(), lease.resource(), lease.lessee(), lease.termMs(), lease.grantedAt());
  }

  /** The lease, taken back at {@code now} with a fresh term. */
  Lease restoredAt(Instant now) {
    return new Lease(id, resource, lessee, termMs, grantedAt, now, now.plusMillis(termMs));
  }
}
