package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.DryRunPlan;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.MethodTimeline;
import io.valentia.chaos.faults.FaultCatalog;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The dry run of {@code experiment run --dry-run}: each step with what it does, the method's
 * timeline of faults and what the allow-list refuses, as text or JSON. Nothing is run.
 */
final class ExperimentPlan {
  private ExperimentPlan() {}

  /**
   * Prints the plan of {@code experiment} and returns the exit code: 0 when the allow-list refuses
   * nothing, 1 otherwise.
   */
  static int print(Experiment experiment, ChaosConfig config, PrintWriter out, boolean json) {
    DryRunPlan plan = DryRunPlan.of(experiment, FaultCatalog.standard(), config);
    if (json) {
      out.println(plan.json());
    } else {
      out.printf("plan of '%s' (dry run: nothing is run)%n", experiment.title());
      for (JsonNode s : plan.json().path("steps")) {
        out.printf(
            "  %-20s %-6s %-28s %s%n",
            s.path("phase").asText(),
            s.path("type").asText(),
            s.path("name").asText(),
            s.path("does").asText());
      }
      printTimeline(out, plan.timeline());
      if (plan.refused().isEmpty()) {
        out.println("every fault target, executable and URL is on the allow-list (chaos.allow)");
      } else {
        out.println("the allow-list refuses:");
        plan.refused().forEach(r -> out.println("  " + r));
      }
    }
    out.flush();
    return plan.refused().isEmpty() ? 0 : 1;
  }

  private static void printTimeline(PrintWriter out, MethodTimeline timeline) {
    if (timeline.faults().isEmpty()) {
      return;
    }
    out.println(
        "timeline of the method, from its start (only pauses and fault durations count here):");
    for (MethodTimeline.Fault f : timeline.faults()) {
      out.printf(
          "  %-28s %s on %s from +%s to %s%n",
          f.activity(),
          f.fault(),
          f.targets(),
          seconds(f.start()),
          f.end() == null ? "(no duration: it cannot be undone)" : "+" + seconds(f.end()));
    }
    if (timeline.methodEnd().compareTo(timeline.activitiesEnd()) > 0) {
      out.printf(
          "  the activities end at +%s; the method goes on until +%s, when the last fault ends"
              + " (the steady state is checked meanwhile)%n",
          seconds(timeline.activitiesEnd()), seconds(timeline.methodEnd()));
    } else {
      out.printf(
          "  the method ends at +%s, every fault has ended by then%n",
          seconds(timeline.methodEnd()));
    }
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
