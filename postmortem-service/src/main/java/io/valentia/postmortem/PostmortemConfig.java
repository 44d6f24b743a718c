package io.valentia.postmortem;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code postmortem} section of the configuration:
 *
 * <pre>
 * postmortem:
 *   refreshIntervalMs: 250     # new events are searchable within this long (1 to 1000)
 *   commitIntervalMs: 5000     # index and offsets become durable at least this often (100 to 600000)
 *   incidents:                 # see {@link io.valentia.postmortem.incidents.DetectionRules}
 *     enabled: true
 * </pre>
 *
 * @param refreshInterval how long at most from indexing to searchable
 * @param commitInterval how long at most between durable commits
 * @param incidents the incident detection section; a missing node for the defaults
 */
public record PostmortemConfig(
    Duration refreshInterval, Duration commitInterval, JsonNode incidents) {
  private static final Set<String> KEYS =
      Set.of("refreshIntervalMs", "commitIntervalMs", "incidents");

  public static final PostmortemConfig DEFAULT =
      new PostmortemConfig(
          Duration.ofMillis(250),
          Duration.ofSeconds(5),
          com.fasterxml.jackson.databind.node.MissingNode.getInstance());

  /**
   * Reads the section.
   *
   * @throws IllegalArgumentException listing every problem, one per line
   */
  public static PostmortemConfig parse(JsonNode section) {
    List<String> problems = check(section);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    if (section.isMissingNode() || section.isNull()) {
      return DEFAULT;
    }
    return new PostmortemConfig(
        Duration.ofMillis(section.path("refreshIntervalMs").asLong(250)),
        Duration.ofMillis(section.path("commitIntervalMs").asLong(5000)),
        section.path("incidents"));
  }

  /** Every problem of the section, each naming its key; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    List<String> problems = new ArrayList<>();
    if (section.isMissingNode() || section.isNull()) {
      return problems;
    }
    if (!section.isObject()) {
      problems.add("must be a mapping");
      return problems;
    }
    for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        problems.add(
            key
                + ": unknown key (known: "
                + String.join(", ", KEYS.stream().sorted().toList())
                + ")");
      }
    }
    range(section, "refreshIntervalMs", 1, 1000, problems);
    range(section, "commitIntervalMs", 100, 600_000, problems);
    JsonNode incidents = section.path("incidents");
    if (!incidents.isMissingNode()) {
      io.valentia.postmortem.incidents.DetectionRules.check(incidents)
          .forEach(p -> problems.add("incidents." + p));
    }
    return problems;
  }

  private static void range(
      JsonNode section, String key, long min, long max, List<String> problems) {
    JsonNode value = section.get(key);
    if (value == null) {
      return;
    }
    if (!value.canConvertToLong() || !value.isIntegralNumber()) {
      problems.add(key + ": must be an integer (milliseconds), found " + value);
    } else if (value.asLong() < min || value.asLong() > max) {
      problems.add(key + ": must be " + min + " to " + max + ", found " + value.asLong());
    }
  }
}
