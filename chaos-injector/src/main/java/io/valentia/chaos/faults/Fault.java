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

  /**
   * Injects the fault, first handing what undoes it to {@code journal}, so that another process can
   * undo it if this one is killed. Faults that change something outside the injector (a stopped
   * process, a rule, a quota, an MTU, a file) override this and call {@code journal} before the
   * first change; the default records that nothing outlives the injector and calls {@link
   * #inject(Arguments, Duration)}.
   *
   * @param journal takes the undo steps (see {@link Undo}); when it throws, nothing is changed
   */
  default Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
      throws FaultException {
    journal.record(null);
    return inject(arguments, duration);
  }

  /** Where a fault records what undoes it, before it changes anything. */
  @FunctionalInterface
  interface UndoJournal {
    /**
     * Records {@code undo} durably; returns once it is stored.
     *
     * @param undo the steps (see {@link Undo}); null when nothing outlives the injector
     * @throws FaultException when it could not be recorded: the fault must not be applied
     */
    void record(com.fasterxml.jackson.databind.JsonNode undo) throws FaultException;
  }

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
