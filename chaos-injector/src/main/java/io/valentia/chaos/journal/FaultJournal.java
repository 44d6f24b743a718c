package io.valentia.chaos.journal;

import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.payload.ChaosFault;

/**
 * Where an injector records its faults: each one before it is applied, with what undoes it, and
 * again when it is reverted. What is recorded lets the next injector on the host revert what a
 * killed one left behind (see {@link io.valentia.chaos.safety.FaultRecovery}). Implementations are
 * thread-safe.
 */
public interface FaultJournal {

  /**
   * Records a fault about to be applied ({@link ChaosFault#APPLYING}); returns once it is stored.
   *
   * @throws NotRecordedException when it could not be stored: the fault must not be applied
   */
  void applying(ChaosFault record);

  /**
   * Records that a fault was reverted, or could not be; never throws (a record that is lost leaves
   * the fault to be reverted once more by a later recovery, which is harmless).
   */
  void settled(ChaosFault record);

  /** Records nothing (an injector without Kafka; only its own process can revert its faults). */
  static FaultJournal none() {
    return new FaultJournal() {
      @Override
      public void applying(ChaosFault record) {}

      @Override
      public void settled(ChaosFault record) {}
    };
  }

  /** A fault could not be recorded, so it was not applied. */
  final class NotRecordedException extends ValentiaException {
    public NotRecordedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
