package io.valentia.chaos.safety;

import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.faults.Undo;
import io.valentia.chaos.journal.FaultJournal;
import io.valentia.chaos.journal.InjectorProcess;
import io.valentia.chaos.journal.OpenFaults;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.ChaosFault;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reverts what killed injectors of this host left behind, from the open faults in {@code
 * valentia.state.faults}: every fault whose state is {@code applying} (or {@code revert-failed})
 * and whose injector process has ended is undone from the steps recorded before it was applied, and
 * its outcome is recorded in the journal ({@code reverted} removes it from the table, so the next
 * recovery leaves it alone). Faults of injectors that still run, or of other hosts, are theirs.
 * Reads only the state table (its size follows the faults open now, not the history); safe to run
 * at every start; blocks (call it off the event loop).
 */
public final class FaultRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(FaultRecovery.class);

  private final StateTable<ChaosFault> faults;
  private final FaultJournal journal;
  private final String by;

  /**
   * @param faults the open faults
   * @param journal where the outcome of each recovered fault is recorded
   * @param by who recovers, for the records, e.g. {@code /chaos/host-1}
   */
  public FaultRecovery(StateTable<ChaosFault> faults, FaultJournal journal, String by) {
    this.faults = faults;
    this.journal = journal;
    this.by = by;
  }

  /**
   * Waits for the table to be restored and reverts what ended injectors of this host left.
   *
   * @return one line per fault it reverted or failed to revert
   * @throws io.valentia.eventbus.ValentiaException when the table cannot be restored within a
   *     minute
   */
  public List<String> recover() {
    StateMigration.await(faults.restored(), "read " + faults.topic());
    Map<String, ChaosFault> left = leftBehind(List.copyOf(faults.snapshot().values()), this::ended);
    List<String> lines = new ArrayList<>();
    for (ChaosFault fault : left.values()) {
      String what = fault.fault() + " " + fault.targets() + " of run " + fault.runId();
      String owner = "injector pid " + fault.pid() + " on " + fault.host();
      try {
        Undo.run(fault.undo());
        journal.settled(
            settled(fault, ChaosFault.REVERTED, "reverted by " + by + ": " + owner + " ended"));
        lines.add("reverted " + what + ", left by " + owner);
        LOG.warn("reverted {} left by {}", what, owner);
      } catch (FaultException e) {
        journal.settled(
            settled(fault, ChaosFault.REVERT_FAILED, "recovery by " + by + " failed: " + e));
        lines.add("could not revert " + what + ", left by " + owner + ": " + e.getMessage());
        LOG.error("could not revert {} left by {}: {}", what, owner, e.getMessage());
      }
    }
    return lines;
  }

  private boolean ended(ChaosFault fault) {
    return new InjectorProcess(fault.host(), fault.pid(), fault.processStart()).endedOnThisHost();
  }

  /**
   * The faults to recover: by fault id, the open record (the {@code applying} one, with its undo)
   * of every fault that is still {@code applying} or {@code revert-failed} and whose injector
   * {@code ended}.
   *
   * @param records journal records in the order they were written (per fault), or the entries of
   *     the state table
   */
  static Map<String, ChaosFault> leftBehind(List<ChaosFault> records, Predicate<ChaosFault> ended) {
    Map<String, ChaosFault> open = new LinkedHashMap<>();
    records.forEach(r -> OpenFaults.apply(open, r));
    Map<String, ChaosFault> out = new LinkedHashMap<>();
    open.forEach(
        (id, r) -> {
          if (r.undo() != null && ended.test(r)) {
            out.put(id, r);
          }
        });
    return out;
  }

  private static ChaosFault settled(ChaosFault applied, String state, String detail) {
    InjectorProcess self = InjectorProcess.current();
    return new ChaosFault(
        applied.faultId(),
        applied.runId(),
        applied.fault(),
        state,
        applied.targets(),
        null,
        self.host(),
        self.pid(),
        self.start(),
        applied.until(),
        detail);
  }
}
