package io.valentia.chaos.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The record of one run, written in the shape of a Chaos Toolkit journal: {@code chaoslib-version},
 * {@code platform}, {@code node}, {@code experiment}, {@code start}, {@code end}, {@code duration},
 * {@code status} ({@code completed}, {@code failed}, {@code aborted}, {@code interrupted}), {@code
 * deviated}, {@code steady_states} ({@code before}, {@code after}, {@code during}), {@code run} and
 * {@code rollbacks}; plus Valentia's {@code run_id} and, when an activity failed the run, {@code
 * failed_activity} ({@code phase}, {@code name}, {@code type}, {@code error}).
 *
 * @param runId the run's id (the {@code experimentid} of its events)
 * @param experiment the experiment document as read
 * @param start when the run started
 * @param end when it ended
 * @param status the run's status
 * @param deviated whether the steady state deviated
 * @param reason why a run failed, was aborted or interrupted; null when it completed
 * @param before the steady-state probes before the method; null when not checked
 * @param during the steady-state checks during the method
 * @param after the steady-state probes after the method; null when not checked
 * @param run the method's activities
 * @param rollbacks the rollbacks and automatic reverts
 * @param failure the activity whose failure failed the run; null when none did
 */
public record Journal(
    String runId,
    JsonNode experiment,
    Instant start,
    Instant end,
    String status,
    boolean deviated,
    String reason,
    List<ActivityRun> before,
    List<ActivityRun> during,
    List<ActivityRun> after,
    List<ActivityRun> run,
    List<ActivityRun> rollbacks,
    Failure failure) {

  /**
   * The activity that failed a run.
   *
   * @param phase {@code steady-state-before} (its tolerance was not met) or {@code method} (it
   *     failed and does not tolerate failure)
   * @param name the activity's name
   * @param type {@code action} or {@code probe}
   * @param error what went wrong
   */
  public record Failure(String phase, String name, String type, String error) {}

  /**
   * The version written as {@code chaoslib-version}: the Chaos Toolkit journal format we follow.
   */
  public static final String FORMAT_VERSION = "1.42.0";

  public Duration duration() {
    return Duration.between(start, end);
  }

  /** The journal as JSON. */
  public ObjectNode toJson() {
    ObjectNode json = EventCodec.MAPPER.createObjectNode();
    json.put("chaoslib-version", FORMAT_VERSION);
    json.put(
        "platform",
        System.getProperty("os.name")
            + "-"
            + System.getProperty("os.version")
            + "-"
            + System.getProperty("os.arch"));
    json.put("node", hostname());
    json.put("run_id", runId);
    json.set("experiment", experiment);
    json.put("start", start.toString());
    json.put("end", end.toString());
    json.put("duration", seconds(duration()));
    json.put("status", status);
    json.put("deviated", deviated);
    if (reason != null) {
      json.put("reason", reason);
    }
    if (failure != null) {
      json.putObject("failed_activity")
          .put("phase", failure.phase())
          .put("name", failure.name())
          .put("type", failure.type())
          .put("error", failure.error());
    }
    ObjectNode states = json.putObject("steady_states");
    states.set("before", steadyState(before));
    states.set("after", steadyState(after));
    states.set("during", runs(during));
    json.set("run", runs(run));
    json.set("rollbacks", runs(rollbacks));
    return json;
  }

  private static JsonNode steadyState(List<ActivityRun> probes) {
    if (probes == null) {
      return EventCodec.MAPPER.nullNode();
    }
    ObjectNode state = EventCodec.MAPPER.createObjectNode();
    state.put(
        "steady_state_met", probes.stream().allMatch(p -> Boolean.TRUE.equals(p.toleranceMet())));
    state.set("probes", runs(probes));
    return state;
  }

  private static ArrayNode runs(List<ActivityRun> runs) {
    ArrayNode array = EventCodec.MAPPER.createArrayNode();
    for (ActivityRun r : runs) {
      ObjectNode entry = array.addObject();
      entry.set("activity", r.activity());
      entry.put("status", r.status());
      if (r.output() != null) {
        entry.set("output", r.output());
      }
      if (r.exception() != null) {
        entry.putArray("exception").add(r.exception());
      }
      entry.put("start", r.start().toString());
      entry.put("end", r.end().toString());
      entry.put("duration", seconds(r.duration()));
      if (r.toleranceMet() != null) {
        entry.put("tolerance_met", r.toleranceMet());
      }
    }
    return array;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1_000_000_000.0;
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
