package io.valentia.postmortem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.time.Duration;
import java.util.List;

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
  private static final Field<Long> REFRESH_INTERVAL_MS =
      millis("refreshIntervalMs", 250, 1, 1000)
          .withDescription("new events are searchable within this long");
  private static final Field<Long> COMMIT_INTERVAL_MS =
      millis("commitIntervalMs", 5000, 100, 600_000)
          .withDescription("index and offsets become durable at least this often");
  private static final Field<JsonNode> INCIDENTS =
      Field.node("incidents")
          .withDefault(MissingNode.getInstance())
          .withDescription("incident detection, see DetectionRules");
  private static final List<Field<?>> FIELDS =
      List.of(REFRESH_INTERVAL_MS, COMMIT_INTERVAL_MS, INCIDENTS);

  public static final PostmortemConfig DEFAULT =
      new PostmortemConfig(
          Duration.ofMillis(250), Duration.ofSeconds(5), MissingNode.getInstance());

  private static Field<Long> millis(String name, long fallback, long min, long max) {
    return Field.longInteger(name)
        .withDefault(fallback)
        .invalid(node -> "must be an integer (milliseconds), found " + node)
        .validate(
            ms -> ms >= min && ms <= max,
            node -> "must be " + min + " to " + max + ", found " + node.asLong());
  }

  /**
   * Reads the section.
   *
   * @throws ConfigException listing every problem
   */
  public static PostmortemConfig parse(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    PostmortemConfig config = read(reader);
    reader.throwIfProblems("bad postmortem configuration");
    return config;
  }

  /** Every problem of the section, each naming its key; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    read(reader);
    return reader.problemLines();
  }

  private static PostmortemConfig read(ConfigSection section) {
    if (section.isAbsent()) {
      return DEFAULT;
    }
    if (!section.isMapping("must be a mapping")) {
      return DEFAULT;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    JsonNode incidents = section.get(INCIDENTS);
    if (!incidents.isMissingNode()) {
      section
          .section(INCIDENTS.name())
          .adopt(io.valentia.postmortem.incidents.DetectionRules.check(incidents));
    }
    return new PostmortemConfig(
        Duration.ofMillis(section.get(REFRESH_INTERVAL_MS)),
        Duration.ofMillis(section.get(COMMIT_INTERVAL_MS)),
        incidents);
  }
}
