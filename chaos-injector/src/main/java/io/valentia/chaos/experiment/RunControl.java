package io.valentia.chaos.experiment;

/**
 * The stop state of one run: who stopped it, why and with what status, and whether it is in its
 * rollbacks (which a stop never interrupts). Thread-safe.
 */
final class RunControl {
  final String runId;
  private final Thread thread;
  private volatile String status;
  private volatile String reason;
  private volatile String by;
  private boolean inRollbacks;

  RunControl(String runId, Thread thread) {
    this.runId = runId;
    this.thread = thread;
  }

  /** Stops the run and wakes it; false when it was stopped already. */
  synchronized boolean stop(String status, String reason, String by) {
    if (!mark(status, reason, by)) {
      return false;
    }
    interrupt();
    return true;
  }

  /** Records the stop without waking the run; false when it was stopped already. */
  synchronized boolean mark(String status, String reason, String by) {
    if (this.status != null) {
      return false;
    }
    this.status = status;
    this.reason = reason;
    this.by = by;
    return true;
  }

  /** Wakes the run from what it waits for, unless it is in its rollbacks. */
  synchronized void interrupt() {
    if (!inRollbacks) {
      thread.interrupt();
    }
  }

  /** From now on a stop no longer interrupts the run: its rollbacks always run to their end. */
  synchronized void enterRollbacks() {
    inRollbacks = true;
  }

  boolean stopped() {
    return status != null;
  }

  /** {@code interrupted}, {@code aborted}; null while the run was not stopped. */
  String status() {
    return status;
  }

  /** Why the run was stopped; null while it was not. */
  String reason() {
    return reason;
  }

  /** Who stopped the run; null while it was not. */
  String by() {
    return by;
  }
}
