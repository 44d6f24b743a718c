package io.valentia.chaos.state;

import io.valentia.chaos.schedule.ScheduleOptions;
import io.valentia.chaos.schedule.Scheduler;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.ExperimentScheduled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The history of schedule and halt commands on {@code valentia.control}, as a release without state
 * topics left it, folded into the entries of {@code valentia.state.schedules}: the latest record of
 * each schedule (a removal ends it and its firings), the firings the leaders recorded (the latest
 * ones, up to each schedule's history limit) and the latest halt or release. Used once, by the
 * migration. Not thread-safe.
 */
final class ControlHistory {
  /**
   * The event types it folds (a set that answers {@code contains(null)}: records of other clients
   * may have no type).
   */
  static final Set<String> TYPES =
      Collections.unmodifiableSet(
          new HashSet<>(
              List.of(EventType.CHAOS_EXPERIMENT_SCHEDULED.type(), EventType.CHAOS_HALT.type())));

  private final Map<String, ExperimentScheduled> schedules = new LinkedHashMap<>();
  private final Map<String, Deque<Scheduler.Firing>> firings = new LinkedHashMap<>();
  private HaltState halt;

  /** Folds one record of the control topic; records that are not valid events are skipped. */
  void accept(LogRecord record) {
    CloudEvent event;
    try {
      event = EventCodec.instance().decode(record.value());
    } catch (InvalidEventException e) {
      return; // the dead-letter gate reports it
    }
    if (EventType.CHAOS_HALT.type().equals(event.type())) {
      ChaosHalt command = EventCodec.instance().payload(event, ChaosHalt.class);
      halt =
          new HaltState(
              event.id(),
              !command.released(),
              command.requestedBy(),
              command.reason(),
              event.time());
    } else if (EventType.CHAOS_EXPERIMENT_SCHEDULED.type().equals(event.type())) {
      schedule(EventCodec.instance().payload(event, ExperimentScheduled.class));
    }
  }

  private void schedule(ExperimentScheduled record) {
    String id = record.scheduleId();
    if (record.isFiring()) {
      ExperimentScheduled schedule = schedules.get(id);
      if (schedule == null) {
        return;
      }
      Deque<Scheduler.Firing> latest = firings.computeIfAbsent(id, k -> new ArrayDeque<>());
      latest.removeIf(f -> f.at().equals(record.firedAt()));
      latest.addLast(new Scheduler.Firing(record.firedAt(), record.outcome(), record.runId()));
      while (latest.size() > historyLimit(schedule)) {
        latest.removeFirst();
      }
    } else if (record.isRemoval()) {
      schedules.remove(id);
      firings.remove(id);
    } else if (record.experiment() != null) {
      schedules.put(id, record);
    }
  }

  private static int historyLimit(ExperimentScheduled schedule) {
    return ScheduleOptions.read(schedule.options(), new ArrayList<>()).historyLimit();
  }

  /** The entries of the state table, by key. */
  Map<String, ControlState> entries() {
    Map<String, ControlState> out = new LinkedHashMap<>();
    schedules.forEach((id, s) -> out.put(ControlState.scheduleKey(id), ControlState.of(s)));
    firings.forEach(
        (id, f) -> {
          if (!f.isEmpty()) {
            out.put(ControlState.firedKey(id), ControlState.of(List.copyOf(f)));
          }
        });
    if (halt != null) {
      out.put(ControlState.HALT, ControlState.of(halt));
    }
    return out;
  }
}
