package io.valentia.probes.ceph;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

  private static final String COMMAND =
      "must be a non-empty list of strings (the program and its arguments)";
  private static final Field<Boolean> ENABLED = Field.bool("enabled").withDefault(true);
  private static final Field<List<String>> OSD_NETWORK_COMMAND =
      command("osdNetworkCommand")
          .required("required, e.g. [ceph, daemon, osd.0, dump_osd_network, \"0\"]")
          .withDescription("the command whose dump_osd_network output is ingested");
  private static final Field<List<String>> HEALTH_DETAIL_COMMAND =
      command("healthDetailCommand")
          .withDefault(List.of())
          .withDescription("the command whose health detail output is ingested; optional");
  private static final Field<Duration> INTERVAL =
      positive("interval", Duration.ofSeconds(60)).withDescription("how often the commands run");
  private static final Field<Duration> COMMAND_TIMEOUT =
      positive("commandTimeout", Duration.ofSeconds(30))
          .withDescription("how long one command may take");
  private static final Field<Double> THRESHOLD_MS =
      Field.number("thresholdMs")
          .withDefault(SlowPingChecks.DEFAULT_THRESHOLD_MS)
          .validateAll(ms -> ms > 0, node -> "must be a number of milliseconds above 0")
          .withDescription("a heartbeat slower than this is slow");
  private static final Field<String> NAME =
      Field.string("name")
          .validateAll(n -> !n.isBlank(), node -> "must be a non-empty string")
          .withDescription("this host in events; null for the host name");
  private static final List<Field<?>> FIELDS =
      List.of(
          ENABLED,
          OSD_NETWORK_COMMAND,
          HEALTH_DETAIL_COMMAND,
          INTERVAL,
          COMMAND_TIMEOUT,
          THRESHOLD_MS,
          NAME);

  private static Field<List<String>> command(String name) {
    return Field.of(
        name,
        node -> {
          List<String> command = new ArrayList<>();
          if (node.isArray()) {
            for (JsonNode part : node) {
              if (!part.isTextual() && !part.isNumber()) {
                throw new IllegalArgumentException(COMMAND);
              }
              command.add(part.asText());
            }
          }
          if (command.isEmpty()) {
            throw new IllegalArgumentException(COMMAND);
          }
          return List.copyOf(command);
        });
  }

  private static Field<Duration> positive(String name, Duration fallback) {
    return Field.duration(name).withDefault(fallback).validate(d -> !d.isZero(), "must be above 0");
  }

  /** Every problem of {@code section}, each naming its key; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    read(reader);
    return reader.problemLines();
  }

  /**
   * Reads the section.
   *
   * @throws ConfigException listing every problem
   */
  public static CephConfig parse(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    CephConfig config = read(reader);
    reader.throwIfProblems("bad probes.ceph configuration");
    return config;
  }

  private static CephConfig read(ConfigSection section) {
    if (!section.node().isObject()) {
      section.problem("", "must be a mapping with at least osdNetworkCommand");
      return null;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    section.get(ENABLED);
    List<String> osdNetwork = section.get(OSD_NETWORK_COMMAND);
    List<String> healthDetail = section.get(HEALTH_DETAIL_COMMAND);
    Duration interval = section.get(INTERVAL);
    Duration timeout = section.get(COMMAND_TIMEOUT);
    double threshold = section.get(THRESHOLD_MS);
    String name = section.get(NAME);
    if (!section.problems().isEmpty()) {
      return null;
    }
    return new CephConfig(osdNetwork, healthDetail, interval, timeout, threshold, name);
  }
}
