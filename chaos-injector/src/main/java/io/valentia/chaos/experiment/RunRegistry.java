package io.valentia.chaos.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The runs in progress, by their stop controls: what a halt, an abort or a listing sees. */
final class RunRegistry {
  private final Set<RunControl> running = ConcurrentHashMap.newKeySet();

  /** Registers a run of the calling thread. */
  RunControl register(String runId) {
    RunControl control = new RunControl(runId, Thread.currentThread());
    running.add(control);
    return control;
  }

  void unregister(RunControl control) {
    running.remove(control);
  }

  /**
   * Marks every run stopped, runs {@code meanwhile}, then interrupts them.
   *
   * @return how many runs were stopped
   */
  int stopAll(String status, String reason, String by, Runnable meanwhile) {
    List<RunControl> stopped = new ArrayList<>();
    for (RunControl control : running) {
      if (control.mark(status, reason, by)) {
        stopped.add(control);
      }
    }
    try {
      meanwhile.run();
    } finally {
      stopped.forEach(RunControl::interrupt);
    }
    return stopped.size();
  }

  /** Stops one run; false when no such run is in progress (or it was stopped already). */
  boolean stop(String runId, String status, String reason, String by) {
    for (RunControl control : running) {
      if (control.runId.equals(runId)) {
        return control.stop(status, reason, by);
      }
    }
    return false;
  }

  List<String> runningIds() {
    return running.stream().map(c -> c.runId).toList();
  }
}
