package io.valentia.chaos.journal;

import io.valentia.eventbus.payload.ChaosFault;
import java.util.Map;

/**
 * How fault journal records add up to the faults still open, as {@code valentia.state.faults} holds
 * them: by fault id, the {@code applying} record (with its undo and the injector that applied it);
 * a {@code revert-failed} record changes its state and detail but keeps the undo and the owner (so
 * the fault is tried again once its injector has ended); a {@code reverted} record removes it.
 */
public final class OpenFaults {
  private OpenFaults() {}

  /**
   * Applies one record to {@code open}. A {@code revert-failed} record of an unknown fault is kept
   * only when it carries its undo (an entry of the state table itself).
   */
  public static void apply(Map<String, ChaosFault> open, ChaosFault record) {
    switch (record.state()) {
      case ChaosFault.APPLYING -> open.put(record.faultId(), record);
      case ChaosFault.REVERTED -> open.remove(record.faultId());
      case ChaosFault.REVERT_FAILED -> {
        ChaosFault applied = open.get(record.faultId());
        if (applied != null) {
          open.put(record.faultId(), failed(applied, record.detail()));
        } else if (record.undo() != null) {
          open.put(record.faultId(), record);
        }
      }
      default -> {
        // a state this release does not know: leave the fault as it was
      }
    }
  }

  /** {@code applied} with its state set to {@code revert-failed} and {@code detail}. */
  public static ChaosFault failed(ChaosFault applied, String detail) {
    return new ChaosFault(
        applied.faultId(),
        applied.runId(),
        applied.fault(),
        ChaosFault.REVERT_FAILED,
        applied.targets(),
        applied.undo(),
        applied.host(),
        applied.pid(),
        applied.processStart(),
        applied.until(),
        detail);
  }
}
