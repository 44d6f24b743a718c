package io.valentia.chaos.state;

import io.valentia.chaos.journal.OpenFaults;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.payload.ChaosFault;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The chaos injectors' state on Kafka, read back at start instead of the history of {@code
 * valentia.control}:
 *
 * <ul>
 *   <li>{@code valentia.state.faults}: the open faults by fault id (see {@link OpenFaults}), what a
 *       new injector reverts when the one that applied them was killed;
 *   <li>{@code valentia.state.schedules}: the schedules, their latest firings and the halt switch
 *       (see {@link ControlState}).
 * </ul>
 *
 * Opening it builds each table once from {@code valentia.control} when a release without state
 * topics left only that history (then never again), and waits until both tables are restored.
 */
public final class ChaosState implements AutoCloseable {
  /**
   * The event types of the fault journal (a set that answers {@code contains(null)}: records of
   * other clients on valentia.control may have no type).
   */
  private static final Set<String> FAULT_TYPES =
      Collections.unmodifiableSet(new HashSet<>(List.of(EventType.CHAOS_FAULT.type())));

  private final StateTables tables;
  private final boolean ownsTables;
  private final StateTable<ChaosFault> faults;
  private final StateTable<ControlState> control;

  private ChaosState(StateTables tables, boolean ownsTables) {
    this.tables = tables;
    this.ownsTables = ownsTables;
    this.faults = tables.open(Topics.STATE_FAULTS, ChaosFault.class);
    this.control = tables.open(Topics.STATE_SCHEDULES, ControlState.class);
  }

  /**
   * Opens the tables of a process (a service's), migrating them first if needed; blocks until both
   * are restored.
   *
   * @param console where the migration's progress lines go
   * @throws io.valentia.eventbus.ValentiaException when Kafka does not answer in time
   */
  public static ChaosState open(StateTables tables, Consumer<String> console) {
    return open(tables, console, null);
  }

  /**
   * Like {@link #open(StateTables, Consumer)}; schedules and the halt switch built from the history
   * of valentia.control are sealed with {@code seal} as the platform's ({@code migration}).
   */
  public static ChaosState open(
      StateTables tables, Consumer<String> console, io.valentia.chaos.safety.ControlSeal seal) {
    migrate(tables, console, seal);
    ChaosState state = new ChaosState(tables, false);
    state.awaitRestored();
    return state;
  }

  /**
   * Opens tables of its own (a command-line injector's), closed with it; otherwise like {@link
   * #open(StateTables, Consumer)}.
   */
  public static ChaosState open(KafkaSettings kafka, Consumer<String> console) {
    return open(kafka, console, null);
  }

  /** Like {@link #open(KafkaSettings, Consumer)}, sealing migrated entries with {@code seal}. */
  public static ChaosState open(
      KafkaSettings kafka, Consumer<String> console, io.valentia.chaos.safety.ControlSeal seal) {
    StateTables tables = new StateTables(kafka);
    try {
      migrate(tables, console, seal);
      ChaosState state = new ChaosState(tables, true);
      state.awaitRestored();
      return state;
    } catch (RuntimeException e) {
      tables.close();
      throw e;
    }
  }

  public KafkaSettings kafka() {
    return tables.settings();
  }

  /** The open faults, by fault id. */
  public StateTable<ChaosFault> faults() {
    return faults;
  }

  /** Schedules, their firings and the halt switch. */
  public StateTable<ControlState> control() {
    return control;
  }

  private void awaitRestored() {
    StateMigration.await(faults.restored(), "read " + Topics.STATE_FAULTS);
    StateMigration.await(control.restored(), "read " + Topics.STATE_SCHEDULES);
  }

  /** Builds both tables from valentia.control unless that was done before. */
  static void migrate(
      StateTables tables, Consumer<String> console, io.valentia.chaos.safety.ControlSeal seal) {
    StateMigration migration = new StateMigration(tables, console);
    Map<String, ChaosFault> open = new LinkedHashMap<>();
    migration.once(
        Topics.STATE_FAULTS,
        Topics.CONTROL,
        FAULT_TYPES,
        record -> {
          ChaosFault fault = fault(record);
          if (fault != null) {
            OpenFaults.apply(open, fault);
          }
        },
        () -> {
          StateTable<ChaosFault> table = tables.open(Topics.STATE_FAULTS, ChaosFault.class);
          List<CompletableFuture<Void>> writes = new ArrayList<>();
          open.forEach((id, fault) -> writes.add(table.put(id, fault)));
          StateMigration.await(
              CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
              "write " + Topics.STATE_FAULTS);
        });
    ControlHistory history = new ControlHistory();
    migration.once(
        Topics.STATE_SCHEDULES,
        Topics.CONTROL,
        ControlHistory.TYPES,
        history::accept,
        () -> {
          StateTable<ControlState> table = tables.open(Topics.STATE_SCHEDULES, ControlState.class);
          List<CompletableFuture<Void>> writes = new ArrayList<>();
          history
              .entries()
              .forEach(
                  (key, entry) ->
                      writes.add(
                          table.put(
                              key,
                              seal == null || entry.firings() != null
                                  ? entry
                                  : seal.seal(
                                      table.topic(),
                                      key,
                                      entry,
                                      io.valentia.chaos.safety.ControlSeal.Sender.platform(
                                          "migration")))));
          StateMigration.await(
              CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
              "write " + Topics.STATE_SCHEDULES);
        });
  }

  private static ChaosFault fault(LogRecord record) {
    try {
      CloudEvent event = EventCodec.instance().decode(record.value());
      return EventCodec.instance().payload(event, ChaosFault.class);
    } catch (InvalidEventException e) {
      return null; // the dead-letter gate reports it
    }
  }

  /** Closes the tables when they are this state's own; a process's tables stay open. */
  @Override
  public void close() {
    if (ownsTables) {
      tables.close();
    }
  }
}
