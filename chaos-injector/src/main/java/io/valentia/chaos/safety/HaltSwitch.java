package io.valentia.chaos.safety;

import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.valentia.eventbus.payload.ChaosHalt;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Halt-all for one injector: reverts every active fault, stops every run (its rollbacks still run)
 * and refuses new faults and runs until released. Idempotent: halting a halted injector reverts
 * whatever is active again and changes nothing else. Every halt and release is audited with a
 * {@code chaos.halt} event naming who and why. A command seen twice (by id) is applied once.
 * Thread-safe.
 */
public final class HaltSwitch {
  private static final Logger LOG = LoggerFactory.getLogger(HaltSwitch.class);

  private final FaultInjector injector;
  private final ExperimentRunner runner;
  private final RunEvents audit;
  private final String source;
  private final Set<String> applied =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > 1000;
            }
          });
  private volatile boolean halted;

  public HaltSwitch(
      FaultInjector injector, ExperimentRunner runner, RunEvents audit, String source) {
    this.injector = injector;
    this.runner = runner;
    this.audit = audit;
    this.source = source;
  }

  /** Whether this injector is halted. */
  public boolean halted() {
    return halted;
  }

  /**
   * Halts: reverts every fault, stops every run, refuses new ones.
   *
   * @param commandId the id of the command (event) asking; null for a local call
   * @return how many faults were reverted; -1 when this command was already applied
   */
  public synchronized int halt(String commandId, String by, String reason) {
    if (commandId != null && !applied.add(commandId)) {
      return -1;
    }
    halted = true;
    PlatformMeters.halted();
    String why = "halted by " + by + (reason == null ? "" : ": " + reason);
    injector.refuseNew(why);
    int reverted;
    int runs;
    if (runner == null) {
      reverted = injector.revertAll(why);
      runs = 0;
    } else {
      // the runs are marked stopped before the reverts, so that a run waiting for its faults to
      // end does not take the reverts for the end of their duration and complete
      java.util.concurrent.atomic.AtomicInteger count =
          new java.util.concurrent.atomic.AtomicInteger();
      runs = runner.stopAll("interrupted", why, by, () -> count.set(injector.revertAll(why)));
      reverted = count.get();
    }
    LOG.warn(
        "HALT by {} ({}): {} fault(s) reverted, {} run(s) stopped",
        by,
        reason == null ? "no reason given" : reason,
        reverted,
        runs);
    audit.emit(event(new ChaosHalt(by, reason, false, reverted)));
    return reverted;
  }

  /**
   * Restores the state read back at start, without an audit (the halt was audited when it
   * happened): halted or not, as command {@code commandId} left it (which counts as applied).
   */
  public synchronized void restore(String commandId, boolean wasHalted, String by, String reason) {
    if (commandId != null) {
      applied.add(commandId);
    }
    halted = wasHalted;
    if (wasHalted) {
      injector.refuseNew("halted by " + by + (reason == null ? "" : ": " + reason));
    } else {
      injector.acceptNew();
    }
  }

  /**
   * Lifts a halt; new runs and faults are accepted again.
   *
   * @return false when this command was already applied
   */
  public synchronized boolean release(String commandId, String by, String reason) {
    if (commandId != null && !applied.add(commandId)) {
      return false;
    }
    halted = false;
    injector.acceptNew();
    LOG.warn("halt released by {} ({})", by, reason == null ? "no reason given" : reason);
    audit.emit(event(new ChaosHalt(by, reason, true, 0)));
    return true;
  }

  private CloudEvent event(ChaosHalt halt) {
    return CloudEvent.of(halt).source(source).subject("halt").build();
  }
}
