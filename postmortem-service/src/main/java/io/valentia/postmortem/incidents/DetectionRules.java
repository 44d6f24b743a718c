package io.valentia.postmortem.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * When the stream means an incident. Configuration ({@code postmortem.incidents}), with defaults:
 *
 * <pre>
 * incidents:
 *   enabled: true
 *   correlationWindowSeconds: 600   # related events this close join the same incident
 *   frameBursts: 3                  # dropped-frame bursts of one subject ...
 *   frameWindowSeconds: 60          # ... within this window open an incident
 *   killDenials: 5                  # KILL seccomp denials of one subject ...
 *   killWindowSeconds: 60           # ... within this window open an incident
 *   applicationId: valentia-incidents  # the Kafka Streams application (and consumer group) that
 *                                      # detects; distinct per platform sharing one Kafka cluster
 * </pre>
 *
 * An MTU mismatch, a lease revoked by a lessee crash and a chaos experiment that deviated each open
 * an incident on their own.
 *
 * @param enabled whether incidents are detected at all
 * @param correlationWindow how close in time related events must be to join one incident
 * @param frameBursts how many dropped-frame bursts of one subject open an incident
 * @param frameWindow the window for {@code frameBursts}
 * @param killDenials how many KILL syscall denials (summing their counts) open an incident
 * @param killWindow the window for {@code killDenials}
 */
public record DetectionRules(
    boolean enabled,
    Duration correlationWindow,
    int frameBursts,
    Duration frameWindow,
    int killDenials,
    Duration killWindow) {

  public static final DetectionRules DEFAULT =
      new DetectionRules(
          true, Duration.ofMinutes(10), 3, Duration.ofMinutes(1), 5, Duration.ofMinutes(1));

  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "correlationWindowSeconds",
          "frameBursts",
          "frameWindowSeconds",
          "killDenials",
          "killWindowSeconds",
          "applicationId");

  /**
   * Reads the section over the defaults.
   *
   * @throws IllegalArgumentException listing every problem, one per line
   */
  public static DetectionRules parse(JsonNode section) {
    List<String> problems = check(section);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    if (section.isMissingNode() || section.isNull()) {
      return DEFAULT;
    }
    return new DetectionRules(
        section.path("enabled").asBoolean(DEFAULT.enabled),
        Duration.ofSeconds(
            section.path("correlationWindowSeconds").asLong(DEFAULT.correlationWindow.toSeconds())),
        section.path("frameBursts").asInt(DEFAULT.frameBursts),
        Duration.ofSeconds(
            section.path("frameWindowSeconds").asLong(DEFAULT.frameWindow.toSeconds())),
        section.path("killDenials").asInt(DEFAULT.killDenials),
        Duration.ofSeconds(
            section.path("killWindowSeconds").asLong(DEFAULT.killWindow.toSeconds())));
  }

  /** Every problem of the section, each naming its key. */
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
    JsonNode enabled = section.get("enabled");
    if (enabled != null && !enabled.isBoolean()) {
      problems.add("enabled: must be true or false, found " + enabled);
    }
    JsonNode applicationId = section.get("applicationId");
    if (applicationId != null
        && (!applicationId.isTextual()
            || !applicationId.asText().matches("[A-Za-z0-9._-]{1,200}"))) {
      problems.add(
          "applicationId: must be letters, digits, '.', '_' or '-' (at most 200), found "
              + applicationId);
    }
    positive(section, "correlationWindowSeconds", 86_400, problems);
    positive(section, "frameBursts", 10_000, problems);
    positive(section, "frameWindowSeconds", 86_400, problems);
    positive(section, "killDenials", 1_000_000, problems);
    positive(section, "killWindowSeconds", 86_400, problems);
    return problems;
  }

  private static void positive(JsonNode section, String key, long max, List<String> problems) {
    JsonNode value = section.get(key);
    if (value == null) {
      return;
    }
    if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > max) {
      problems.add(key + ": must be an integer from 1 to " + max + ", found " + value);
    }
  }
}
