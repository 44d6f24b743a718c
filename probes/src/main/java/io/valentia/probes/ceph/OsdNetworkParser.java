package io.valentia.probes.ceph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.OsdPing;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON of {@code ceph daemon osd.N dump_osd_network [threshold]} (also served by the
 * mgr): {@code {"threshold": 0, "entries": [{"last update": ..., "stale": false, "from osd": 2, "to
 * osd": 0, "interface": "front", "average": {"1min": .., "5min": .., "15min": ..}, "min": {...},
 * "max": {...}, "last": 0.924}]}}. Keys contain spaces; times are milliseconds. Unknown fields are
 * ignored; an entry that is not the format is skipped and reported. Stateless and thread-safe.
 */
public final class OsdNetworkParser {

  /**
   * The entries and what was wrong with the ones skipped.
   *
   * @param pings one per valid entry, in input order
   * @param problems one per skipped entry, naming it ({@code entries[3]: ...})
   */
  public record Result(List<OsdPing> pings, List<String> problems) {}

  /**
   * Parses a dump.
   *
   * @param thresholdMs the slow-ping threshold in force, stored in every {@link OsdPing}
   * @throws CephFormatException when the text is not JSON or has no {@code entries} list
   */
  public Result parse(String text, double thresholdMs) {
    JsonNode root;
    try {
      root = EventCodec.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CephFormatException(
          "not dump_osd_network JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.path("entries").isArray()) {
      throw new CephFormatException(
          "not dump_osd_network JSON: no \"entries\" list (run `ceph daemon osd.N"
              + " dump_osd_network 0`)");
    }
    List<OsdPing> pings = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    JsonNode entries = root.get("entries");
    for (int i = 0; i < entries.size(); i++) {
      List<String> wrong = new ArrayList<>();
      OsdPing ping = entry(entries.get(i), thresholdMs, wrong);
      if (wrong.isEmpty()) {
        pings.add(ping);
      } else {
        problems.add("entries[" + i + "]: " + String.join(", ", wrong));
      }
    }
    return new Result(pings, problems);
  }

  private static OsdPing entry(JsonNode entry, double thresholdMs, List<String> wrong) {
    if (!entry.isObject()) {
      wrong.add("not an object");
      return null;
    }
    int from = osd(entry, "from osd", wrong);
    int to = osd(entry, "to osd", wrong);
    String iface = entry.path("interface").asText("");
    if (!iface.equals("front") && !iface.equals("back")) {
      wrong.add("\"interface\" must be front or back");
    }
    JsonNode last = entry.path("last");
    if (!last.isNumber() || last.asDouble() < 0) {
      wrong.add("\"last\" must be a number of milliseconds");
    }
    OsdPing.Windows average = windows(entry, "average", wrong);
    OsdPing.Windows min = windows(entry, "min", wrong);
    OsdPing.Windows max = windows(entry, "max", wrong);
    if (!wrong.isEmpty()) {
      return null;
    }
    return new OsdPing(
        from,
        to,
        iface,
        last.asDouble(),
        average,
        min,
        max,
        entry.path("stale").asBoolean(false),
        thresholdMs);
  }

  private static int osd(JsonNode entry, String key, List<String> wrong) {
    JsonNode node = entry.path(key);
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 0) {
      wrong.add("\"" + key + "\" must be an OSD number");
      return -1;
    }
    return node.asInt();
  }

  private static OsdPing.Windows windows(JsonNode entry, String key, List<String> wrong) {
    JsonNode node = entry.path(key);
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    double[] values = new double[3];
    String[] names = {"1min", "5min", "15min"};
    for (int i = 0; i < 3; i++) {
      JsonNode value = node.path(names[i]);
      if (!value.isNumber() || value.asDouble() < 0) {
        wrong.add("\"" + key + "\"." + names[i] + " must be a number of milliseconds");
        return null;
      }
      values[i] = value.asDouble();
    }
    return new OsdPing.Windows(values[0], values[1], values[2]);
  }
}
