package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.faults.Undo;
import io.valentia.eventbus.payload.ChaosFault;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FaultRecoveryTest {

  private static ChaosFault record(String id, String state, long pid) {
    return new ChaosFault(
        id,
        "run-1",
        "process-pause",
        state,
        List.of("pid:4242"),
        state.equals(ChaosFault.APPLYING) ? Undo.steps() : null,
        "host-1",
        pid,
        null,
        null,
        null);
  }

  @Test
  @DisplayName(
      "Only faults whose last record is applying or revert-failed and whose injector ended are recovered, each once, with the undo recorded before it was applied")
  void recoversOpenFaultsOfEndedInjectors() {
    List<ChaosFault> journal =
        List.of(
            record("open", ChaosFault.APPLYING, 10),
            record("done", ChaosFault.APPLYING, 10),
            record("done", ChaosFault.REVERTED, 10),
            record("failed", ChaosFault.APPLYING, 10),
            record("failed", ChaosFault.REVERT_FAILED, 10),
            record("alive", ChaosFault.APPLYING, 20));

    var left = FaultRecovery.leftBehind(journal, f -> f.pid() == 10);

    assertThat(left).containsOnlyKeys("open", "failed");
    assertThat(left.get("failed").undo()).isNotNull();
  }

  @Test
  @DisplayName(
      "The entries of the state table are recovered as they stand: a fault whose revert failed keeps the undo and the injector that applied it")
  void recoversStateTableEntries() {
    ChaosFault failed =
        io.valentia.chaos.journal.OpenFaults.failed(
            record("failed", ChaosFault.APPLYING, 10), "reverting failed");
    List<ChaosFault> table = List.of(record("open", ChaosFault.APPLYING, 10), failed);

    var left = FaultRecovery.leftBehind(table, f -> f.pid() == 10);

    assertThat(left).containsOnlyKeys("open", "failed");
    assertThat(left.get("failed").state()).isEqualTo(ChaosFault.REVERT_FAILED);
    assertThat(left.get("failed").undo()).isNotNull();
    assertThat(left.get("failed").pid()).isEqualTo(10);
  }
}
