package io.valentia.probes.ceph;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code probes.ceph} configuration: commands run periodically (no shell; each an argument
 * list) whose output is ingested.
 *
 * <pre>
 * probes:
 *   ceph:
 *     enabled: true
 *     osdNetworkCommand: [ceph, daemon, osd.0, dump_osd_network, "0"]
 *     healthDetailCommand: [ceph, health, detail, --format, json]   # optional
 *     interval: 60s
 *     commandTimeout: 30s
 *     thresholdMs: 1000
 *     name: osd-host-1             # this host in events (default: the host name)
 * </pre>
 *
 * @param healthDetailCommand empty when not configured
 * @param name null for the host name
 */
public record CephConfig(
    List<String> osdNetworkCommand,
    List<String> healthDetailCommand,
    Duration interval,
    Duration commandTimeout,
    double thresholdMs,
    String name) {

  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "osdNetworkCommand",
          "healthDetailCommand",
          "interval",
          "commandTimeout",
          "thresholdMs",
          "name");

  /** Every problem of {@code section}, each naming its key; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    List<String> problems = new ArrayList<>();
    read(section, problems);
    return problems;
  }

  /**
   * Reads the section.
   *
   * @throws IllegalArgumentException listing every problem
   */
  public static CephConfig parse(JsonNode section) {
    List<String> problems = new ArrayList<>();
    CephConfig config = read(section, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return config;
  }

  private static CephConfig read(JsonNode section, List<String> problems) {
    if (!section.isObject()) {
      problems.add("must be a mapping with at least osdNetworkCommand");
      return null;
    }
    for (Iterator<String> names = section.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!KEYS.contains(key)) {
        problems.add(
            key
                + ": unknown key (known: "
                + String.join(", ", KEYS.stream().sorted().toList())
                + ")");
      }
    }
    if (!section.path("enabled").isMissingNode() && !section.path("enabled").isBoolean()) {
      problems.add("enabled: must be true or false");
    }
    List<String> osdNetwork = command(section, "osdNetworkCommand", true, problems);
    List<String> healthDetail = command(section, "healthDetailCommand", false, problems);
    Duration interval = duration(section, "interval", "60s", problems);
    Duration timeout = duration(section, "commandTimeout", "30s", problems);
    double threshold = SlowPingChecks.DEFAULT_THRESHOLD_MS;
    JsonNode thresholdNode = section.path("thresholdMs");
    if (!thresholdNode.isMissingNode()) {
      if (!thresholdNode.isNumber() || !(thresholdNode.asDouble() > 0)) {
        problems.add("thresholdMs: must be a number of milliseconds above 0");
      } else {
        threshold = thresholdNode.asDouble();
      }
    }
    JsonNode name = section.path("name");
    if (!name.isMissingNode() && (!name.isTextual() || name.asText().isBlank())) {
      problems.add("name: must be a non-empty string");
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new CephConfig(
        osdNetwork,
        healthDetail,
        interval,
        timeout,
        threshold,
        name.isMissingNode() ? null : name.asText());
  }

  private static List<String> command(
      JsonNode section, String key, boolean required, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode()) {
      if (required) {
        problems.add(key + ": required, e.g. [ceph, daemon, osd.0, dump_osd_network, \"0\"]");
      }
      return List.of();
    }
    List<String> command = new ArrayList<>();
    if (node.isArray() && !node.isEmpty()) {
      for (JsonNode part : node) {
        if (!part.isTextual() && !part.isNumber()) {
          break;
        }
        command.add(part.asText());
      }
    }
    if (command.isEmpty() || command.size() != node.size()) {
      problems.add(key + ": must be a non-empty list of strings (the program and its arguments)");
    }
    return List.copyOf(command);
  }

  private static Duration duration(
      JsonNode section, String key, String fallback, List<String> problems) {
    JsonNode node = section.path(key);
    String text = node.isMissingNode() ? fallback : node.asText();
    try {
      Duration duration = Durations.parse(text);
      if (duration.isZero()) {
        problems.add(key + ": must be above 0");
      }
      return duration;
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
      return Duration.ofSeconds(1);
    }
  }
}
