package io.valentia.chaos;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Activity;
import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.MethodTimeline;
import io.valentia.chaos.experiment.Provider;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.Target;
import io.valentia.eventbus.EventCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan of a dry run, for the API ({@code POST /api/v1/experiments/plan}) and the command line
 * ({@code valentia experiment run --dry-run}): each step with what it would do and its fault
 * targets, what the allow-lists refuse, and the method's timeline. Nothing is run. Secrets of the
 * experiment are hidden in it.
 *
 * @param json {@code title}, {@code dryRun}, {@code steps}, {@code refused}, {@code timeline}
 * @param refused what the allow-lists refuse, one line each (secrets hidden)
 * @param timeline when each fault starts and ends
 */
public record DryRunPlan(ObjectNode json, List<String> refused, MethodTimeline timeline) {

  /** The plan of {@code experiment} under the allow-lists of {@code config}. */
  public static DryRunPlan of(Experiment experiment, FaultCatalog catalog, ChaosConfig config) {
    ObjectNode plan =
        EventCodec.MAPPER.createObjectNode().put("title", experiment.title()).put("dryRun", true);
    ArrayNode steps = plan.putArray("steps");
    List<String> refused = new ArrayList<>();
    if (experiment.hypothesis() != null) {
      experiment
          .hypothesis()
          .probes()
          .forEach(a -> step(steps, refused, "steady-state-before", a, catalog, config));
    }
    experiment.method().forEach(a -> step(steps, refused, "method", a, catalog, config));
    if (experiment.hypothesis() != null) {
      experiment
          .hypothesis()
          .probes()
          .forEach(a -> step(steps, refused, "steady-state-after", a, catalog, config));
    }
    experiment.rollbacks().forEach(a -> step(steps, refused, "rollback", a, catalog, config));
    // what the process and http allow-lists refuse, as validate and run report it
    config
        .policy()
        .providers()
        .allowList()
        .refusals(experiment)
        .forEach(p -> refused.add(p.path() + ": " + p.message()));
    List<String> hidden = refused.stream().map(experiment.redaction()::apply).toList();
    ArrayNode refusedJson = plan.putArray("refused");
    hidden.forEach(refusedJson::add);
    MethodTimeline timeline = MethodTimeline.of(experiment, catalog);
    timeline.writeTo(plan.putObject("timeline"));
    return new DryRunPlan((ObjectNode) experiment.redaction().apply(plan), hidden, timeline);
  }

  private static void step(
      ArrayNode steps,
      List<String> refused,
      String phase,
      Activity a,
      FaultCatalog catalog,
      ChaosConfig config) {
    ObjectNode s =
        steps.addObject().put("phase", phase).put("type", a.type()).put("name", a.name());
    Provider p = a.provider();
    String does;
    if (p instanceof Provider.Http h) {
      does = "HTTP " + h.method() + " " + h.url();
    } else if (p instanceof Provider.Process pr) {
      does = "run " + pr.path() + " " + String.join(" ", pr.arguments());
    } else if (p instanceof Provider.Fault f) {
      List<Target> targets =
          catalog
              .find(f.fault())
              .map(x -> x.targets(Arguments.of(f.arguments())))
              .orElse(List.of());
      s.put("fault", f.fault());
      s.put("duration", f.arguments().path("duration").asText(null));
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
