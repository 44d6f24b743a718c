package io.valentia.probes.leases;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.LeaseExpired;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The leases the lease services had granted and not yet seen end, folded from their own {@code
 * lease.*} events on valentia.events: how {@link Topics#STATE_LEASES} is built once from the
 * history a release without state topics left. Every lease service's leases are kept (the migration
 * runs once for all hosts); the kernel's file leases and DRM leases, which their watchers read
 * again from the system, are not. Not thread-safe.
 */
final class LeaseLog {
  static final Set<String> TYPES =
      Set.of(
          EventType.LEASE_GRANTED.type(),
          EventType.LEASE_REVOKED.type(),
          EventType.LEASE_EXPIRED.type());

  /** The source of a lease service ({@code /leases/HOST}), not of a watcher below it. */
  private static final Pattern LESSOR = Pattern.compile("/leases/[^/]+");

  private final Map<String, GrantedLease> active = new LinkedHashMap<>();
  private final EventCodec codec = EventCodec.instance();

  /** Builds the lease table from the history unless that was done before; blocking. */
  static void migrate(StateMigration migration, StateTable<GrantedLease> table) {
    LeaseLog log = new LeaseLog();
    migration.once(Topics.STATE_LEASES, Topics.EVENTS, TYPES, log::accept, () -> log.write(table));
  }

  /** Folds one record of valentia.events. */
  void accept(LogRecord record) {
    CloudEvent event;
    try {
      event = codec.decode(record.value());
    } catch (InvalidEventException e) {
      return; // the dead-letter gate reported it when it was written
    }
    if (event.source() == null || !LESSOR.matcher(event.source()).matches()) {
      return;
    }
    Object payload = codec.payload(event).orElse(null);
    if (payload instanceof LeaseGranted g) {
      // the lessor stamps a grant's first expiry from the grant time; the event is a bit later
      Instant granted =
          g.expiresAt() != null
              ? g.expiresAt().minusMillis(g.termMs())
              : event.time() != null ? event.time() : Instant.ofEpochMilli(record.timestamp());
      active.put(
          g.leaseId(),
          new GrantedLease(
              event.source(), g.leaseId(), g.resource(), g.lessee(), g.termMs(), granted));
    } else if (payload instanceof LeaseRevoked r) {
      active.remove(r.leaseId());
    } else if (payload instanceof LeaseExpired x) {
      active.remove(x.leaseId());
    }
  }

  /** The leases still active, in the order they were granted. */
  List<GrantedLease> active() {
    return List.copyOf(active.values());
  }

  private void write(StateTable<GrantedLease> table) {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    active.forEach((id, lease) -> writes.add(table.put(id, lease)));
    StateMigration.await(
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)), "write the leases");
  }
}
