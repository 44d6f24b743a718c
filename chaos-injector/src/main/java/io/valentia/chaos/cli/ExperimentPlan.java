package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.experiment.Activity;
import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.experiment.MethodTimeline;
import io.valentia.chaos.experiment.Provider;
import io.valentia.chaos.experiment.Redaction;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.Target;
import io.valentia.eventbus.EventCodec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    FaultCatalog catalog = FaultCatalog.standard();
    ObjectNode plan =
        EventCodec.MAPPER.createObjectNode().put("title", experiment.title()).put("dryRun", true);
    ArrayNode steps = plan.putArray("steps");
    List<String> refused = new ArrayList<>();
    if (experiment.hypothesis() != null) {
      experiment
          .hypothesis()
          .probes()
          .forEach(a -> step(steps, "steady-state-before", a, catalog, config, refused));
    }
    experiment.method().forEach(a -> step(steps, "method", a, catalog, config, refused));
    if (experiment.hypothesis() != null) {
      experiment
          .hypothesis()
          .probes()
          .forEach(a -> step(steps, "steady-state-after", a, catalog, config, refused));
    }
    experiment.rollbacks().forEach(a -> step(steps, "rollback", a, catalog, config, refused));
    config.policy().providers().allowList().refusals(experiment).stream()
        .map(ExperimentProblem::message)
        .forEach(refused::add);
    refused.forEach(r -> plan.withArray("refused").add(r));
    MethodTimeline timeline = MethodTimeline.of(experiment, catalog);
    timeline.writeTo(plan.putObject("timeline"));
    Redaction secrets = experiment.redaction();
    if (json) {
      out.println(secrets.apply(plan));
    } else {
      out.printf("plan of '%s' (dry run: nothing is run)%n", experiment.title());
      for (JsonNode s : secrets.apply(steps)) {
        out.printf(
            "  %-20s %-6s %-28s %s%n",
            s.path("phase").asText(),
            s.path("type").asText(),
            s.path("name").asText(),
            s.path("does").asText());
      }
      printTimeline(out, timeline);
      if (refused.isEmpty()) {
        out.println("every fault target, executable and URL is on the allow-list (chaos.allow)");
      } else {
        out.println("the allow-list refuses:");
        refused.forEach(r -> out.println("  " + secrets.apply(r)));
      }
    }
    out.flush();
    return refused.isEmpty() ? 0 : 1;
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

  private static void step(
      ArrayNode steps,
      String phase,
      Activity a,
      FaultCatalog catalog,
      ChaosConfig config,
      List<String> refused) {
    ObjectNode s =
        steps.addObject().put("phase", phase).put("type", a.type()).put("name", a.name());
    Provider p = a.provider();
    String does;
    if (p instanceof Provider.Http h) {
      does = "HTTP " + h.method() + " " + h.url();
    } else if (p instanceof Provider.Process pr) {
      does = "run " + pr.path() + " " + String.join(" ", pr.arguments());
    } else if (p instanceof Provider.Fault f) {
      Arguments args = Arguments.of(f.arguments());
      List<Target> targets = catalog.find(f.fault()).map(x -> x.targets(args)).orElse(List.of());
      does =
          "fault "
              + f.fault()
              + " on "
              + targets
              + " for "
              + f.arguments().path("duration").asText("(no duration)");
      for (Target t : targets) {
        s.withArray("targets").add(t.toString());
        if (!config.policy().allowList().allows(t)) {
          refused.add(a.name() + ": " + t + " is not on the allow-list");
        }
      }
    } else if (p instanceof Provider.EventProbe e) {
      does = "query valentia.events: " + e.probe() + " " + e.arguments();
    } else {
      does = p.type();
    }
    s.put("does", does);
  }
}
