package io.valentia.probes.leases;

import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.payload.Lessee;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The active leases: at most one per resource, like a DRM lessor that grants a connector to one
 * lessee at a time. Time is passed in, so the rules are testable. Thread-safe.
 */
public final class LeaseTable {
  private final Map<String, Lease> byId = new LinkedHashMap<>();

  /**
   * Grants {@code resource} to {@code lessee} for {@code termMs} from {@code now}.
   *
   * @throws LeaseException.ResourceHeld when another active lease holds the resource
   */
  public synchronized Lease grant(String resource, Lessee lessee, long termMs, Instant now) {
    for (Lease lease : byId.values()) {
      if (lease.resource().equals(resource)) {
        throw new LeaseException.ResourceHeld(lease);
      }
    }
    Lease lease =
        new Lease(EventIds.next(), resource, lessee, termMs, now, now, now.plusMillis(termMs));
    byId.put(lease.id(), lease);
    return lease;
  }

  /** Takes back a lease read from the lease state after a restart. */
  synchronized void restore(Lease lease) {
    byId.put(lease.id(), lease);
  }

  /**
   * Renews a lease for another term from {@code now}: the lessee's heartbeat.
   *
   * @throws LeaseException.NoSuchLease when it is not active
   */
  public synchronized Lease renew(String id, Instant now) {
    Lease lease = byId.get(id);
    if (lease == null) {
      throw new LeaseException.NoSuchLease(id);
    }
    Lease renewed = lease.renewedAt(now);
    byId.put(id, renewed);
    return renewed;
  }

  /**
   * Ends a lease (revoked by the lessor, or its lessee ended).
   *
   * @return the lease; empty when it was no longer active (it ended some other way first)
   */
  public synchronized Optional<Lease> end(String id) {
    return Optional.ofNullable(byId.remove(id));
  }

  /** Ends and returns every lease whose term ran out at {@code now}. */
  public synchronized List<Lease> expire(Instant now) {
    List<Lease> expired = new ArrayList<>();
    byId.values()
        .removeIf(
            lease -> {
              if (!lease.expiresAt().isAfter(now)) {
                expired.add(lease);
                return true;
              }
              return false;
            });
    return expired;
  }

  /** One active lease. */
  public synchronized Optional<Lease> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every active lease, by resource. */
  public synchronized List<Lease> list() {
    List<Lease> leases = new ArrayList<>(byId.values());
    leases.sort(Comparator.comparing(Lease::resource));
    return leases;
  }
}
