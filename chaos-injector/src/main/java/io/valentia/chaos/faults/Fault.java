package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import java.time.Duration;
import java.util.List;

/**
 * One kind of fault Valentia can inject on this machine. Implementations are stateless and
 * thread-safe; each injection returns its own {@link Revert}.
 */
public interface Fault {

  /** The name experiments use, e.g. {@code process-pause}. */
  String name();

  /** One line for documentation and plans. */
  String summary();

  /** Whether the duration may be left out (faults that cannot be undone, like a kill). */
  default boolean durationOptional() {
    return false;
  }

  /**
   * Reads this fault's arguments (except {@code duration}), recording every problem in {@code
   * arguments}, and says what the fault would touch.
   */
  List<Target> targets(Arguments arguments);

  /**
   * Injects the fault. Called only when {@link #targets} found no problem and the targets are
   * allowed. On failure nothing of the fault stays behind.
   *
   * @param duration how long it will last; the caller reverts it then
   * @return how to undo it; called at most once
   * @throws FaultException when it could not be injected
   */
  Revert inject(Arguments arguments, Duration duration) throws FaultException;

  /** Undoes one injection. */
  @FunctionalInterface
  interface Revert {
    /**
     * Undoes the injection; a target that has gone away (an exited process, a deleted namespace)
     * counts as reverted.
     *
     * @throws FaultException when something could not be restored
     */
    void revert() throws FaultException;
  }
}
