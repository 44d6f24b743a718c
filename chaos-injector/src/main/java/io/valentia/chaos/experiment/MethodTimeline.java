package io.valentia.chaos.experiment;

import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When each fault of a method starts and ends, counted from the start of the method, as a run would
 * go: the pauses before and after each activity, background activities beside the others, and the
 * method kept until the last fault has reached its duration. Activities other than pauses take no
 * time here (an HTTP call or a process takes what it takes), so real times are at least these.
 *
 * @param faults the faults in the order the method injects them
 * @param activitiesEnd when the method's activities (and their pauses) have ended
 * @param methodEnd when the method ends: the later of {@code activitiesEnd} and the last fault's
 *     end
 */
public record MethodTimeline(List<Fault> faults, Duration activitiesEnd, Duration methodEnd) {

  /**
   * One fault on the timeline.
   *
   * @param activity the activity that injects it
   * @param fault the fault's name
   * @param targets what it touches
   * @param start when it is injected
   * @param end when its duration ends; null for a fault without one (it cannot be undone)
   */
  public record Fault(
      String activity, String fault, List<Target> targets, Duration start, Duration end) {}

  /** The timeline of {@code experiment}'s method. */
  public static MethodTimeline of(Experiment experiment, FaultCatalog catalog) {
    List<Fault> faults = new ArrayList<>();
    Duration now = Duration.ZERO;
    Duration activitiesEnd = Duration.ZERO;
    for (Activity activity : experiment.method()) {
      Duration start = now.plus(activity.pauseBefore());
      Duration done = start.plus(activity.pauseAfter());
      if (!activity.background()) {
        now = done;
      }
      activitiesEnd = max(activitiesEnd, done);
      if (activity.provider() instanceof Provider.Fault f) {
        Arguments args = Arguments.of(f.arguments());
        List<Target> targets =
            catalog.find(f.fault()).map(k -> List.copyOf(k.targets(args))).orElse(List.of());
        Duration duration = args.has("duration") ? args.duration("duration") : Duration.ZERO;
        faults.add(
            new Fault(
                activity.name(),
                f.fault(),
                targets,
                start,
                duration.isZero() ? null : start.plus(duration)));
      }
    }
    Duration methodEnd = activitiesEnd;
    for (Fault f : faults) {
      if (f.end() != null) {
        methodEnd = max(methodEnd, f.end());
      }
    }
    return new MethodTimeline(List.copyOf(faults), activitiesEnd, methodEnd);
  }

  /**
   * Writes the timeline into {@code times} as the dry-run plans (API and command line) show it:
   * {@code faults} (activity, fault, targets, start and end in seconds), {@code activitiesEnd} and
   * {@code methodEnd}.
   */
  public void writeTo(com.fasterxml.jackson.databind.node.ObjectNode times) {
    com.fasterxml.jackson.databind.node.ArrayNode list = times.putArray("faults");
    for (Fault f : faults) {
      com.fasterxml.jackson.databind.node.ObjectNode entry =
          list.addObject()
              .put("activity", f.activity())
              .put("fault", f.fault())
              .put("start", Durations.seconds(f.start()));
      f.targets().forEach(t -> entry.withArray("targets").add(t.toString()));
      if (f.end() != null) {
        entry.put("end", Durations.seconds(f.end()));
      }
    }
    times
        .put("activitiesEnd", Durations.seconds(activitiesEnd))
        .put("methodEnd", Durations.seconds(methodEnd));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
