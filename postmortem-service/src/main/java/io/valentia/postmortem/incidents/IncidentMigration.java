package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Builds {@code valentia.state.incidents} once from the {@code incident.*} events a release without
 * the table left on {@code valentia.events} ({@link StateMigration}); later starts read the table
 * only. Blocking: call it from a worker, before detection starts.
 */
final class IncidentMigration {
  static final Set<String> TYPES =
      Set.of(
          EventType.INCIDENT_OPENED.type(),
          EventType.INCIDENT_UPDATED.type(),
          EventType.INCIDENT_RESOLVED.type());

  private IncidentMigration() {}

  /**
   * Runs the migration unless it was done.
   *
   * @return true when it ran now
   */
  static boolean run(StateMigration migration, StateTable<IncidentState> table) {
    List<CloudEvent> events = new ArrayList<>();
    return migration.once(
        Topics.STATE_INCIDENTS,
        Topics.EVENTS,
        TYPES,
        record -> {
          try {
            events.add(EventCodec.instance().decode(record.value()));
          } catch (InvalidEventException | IllegalArgumentException e) {
            // the dead-letter gate reports it; it is no incident of ours
          }
        },
        () -> write(events, table));
  }

  private static void write(List<CloudEvent> events, StateTable<IncidentState> table) {
    // one incident's events span partitions (opened is keyed by subject, updates by source)
    events.sort(Comparator.comparing(e -> e.time() == null ? Instant.EPOCH : e.time()));
    Map<String, Incident> incidents = new LinkedHashMap<>();
    events.forEach(e -> IncidentDetector.restore(incidents, e));
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    incidents.values().forEach(i -> writes.add(table.put(i.id(), i.state())));
    StateMigration.await(
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
        "write " + incidents.size() + " incidents to " + Topics.STATE_INCIDENTS);
  }
}
