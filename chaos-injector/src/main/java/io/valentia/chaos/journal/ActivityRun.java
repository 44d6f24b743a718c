package io.valentia.chaos.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;

/**
 * One activity as it ran, in the shape of a Chaos Toolkit journal's run entry.
 *
 * @param activity the activity as the journal shows it ({@code type}, {@code name}, {@code
 *     provider})
 * @param phase {@code steady-state-before}, {@code method}, {@code steady-state-during}, {@code
 *     steady-state-after} or {@code rollback}
 * @param status {@code succeeded} or {@code failed}
 * @param output what it returned; null when nothing
 * @param exception why it failed; null unless failed
 * @param start when it started
 * @param end when it ended
 * @param toleranceMet for steady-state probes, whether the tolerance held; null otherwise
 */
public record ActivityRun(
    JsonNode activity,
    String phase,
    String status,
    JsonNode output,
    String exception,
    Instant start,
    Instant end,
    Boolean toleranceMet) {

  public boolean succeeded() {
    return "succeeded".equals(status);
  }

  public Duration duration() {
    return Duration.between(start, end);
  }

  /** A copy with the tolerance verdict. */
  public ActivityRun withToleranceMet(boolean met) {
    return new ActivityRun(activity, phase, status, output, exception, start, end, met);
  }
}
