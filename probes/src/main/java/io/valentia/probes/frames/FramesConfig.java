package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code probes.frames} configuration.
 *
 * @param hz refresh rate of the render loop, and of OpenVR timing (default 90)
 * @param workMs CPU work per frame of the render loop, in ms (default 2)
 * @param loop whether to run the render-loop stand-in (default true)
 * @param openvr OpenVR {@code Compositor_FrameTiming} JSON lines to follow; null for none
 * @param monado Monado {@code XRT_METRICS_FILE} to follow; null for none
 * @param realtime whether to ask for {@code SCHED_FIFO} for the loop (default true)
 * @param maxRejectedPerSecond records of a followed file that may be not the format in one second
 *     before {@code FRAME_INGEST_FAILED} is raised (default 10)
 */
public record FramesConfig(
    int hz,
    double workMs,
    boolean loop,
    Path openvr,
    Path monado,
    boolean realtime,
    int maxRejectedPerSecond) {
  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "hz",
          "workMs",
          "loop",
          "openvr",
          "monado",
          "realtime",
          "maxRejectedPerSecond");

  /** Every problem of {@code node}, each naming its key. */
  public static List<String> problems(JsonNode node) {
    List<String> problems = new ArrayList<>();
    if (node.isMissingNode() || node.isNull()) {
      return problems;
    }
    if (!node.isObject()) {
      problems.add("(section): must be a mapping");
      return problems;
    }
    node.fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                problems.add(k + ": unknown key (known: " + String.join(", ", KEYS) + ")");
              }
            });
    JsonNode hz = node.path("hz");
    if (!hz.isMissingNode() && (!hz.canConvertToInt() || hz.asInt() < 1 || hz.asInt() > 1000)) {
      problems.add("hz: must be an integer from 1 to 1000, found " + hz);
    }
    JsonNode work = node.path("workMs");
    int rate = hz.canConvertToInt() && hz.asInt() > 0 ? hz.asInt() : 90;
    if (!work.isMissingNode()
        && (!work.isNumber() || work.asDouble() < 0 || work.asDouble() >= 1000.0 / rate)) {
      problems.add("workMs: must be a number from 0 to below the frame budget, found " + work);
    }
    JsonNode maxRejected = node.path("maxRejectedPerSecond");
    if (!maxRejected.isMissingNode()
        && (!maxRejected.canConvertToInt()
            || !maxRejected.isIntegralNumber()
            || maxRejected.asInt() < 0)) {
      problems.add("maxRejectedPerSecond: must be an integer of 0 or more, found " + maxRejected);
    }
    for (String flag : List.of("enabled", "loop", "realtime")) {
      if (node.has(flag) && !node.get(flag).isBoolean()) {
        problems.add(flag + ": must be true or false, found " + node.get(flag));
      }
    }
    for (String file : List.of("openvr", "monado")) {
      if (node.has(file) && !node.get(file).isTextual()) {
        problems.add(file + ": must be a file path, found " + node.get(file));
      }
    }
    return problems;
  }

  /**
   * @throws IllegalArgumentException listing every problem
   */
  public static FramesConfig from(JsonNode node) {
    List<String> problems = problems(node);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new FramesConfig(
        node.path("hz").asInt(90),
        node.path("workMs").asDouble(2),
        node.path("loop").asBoolean(true),
        node.hasNonNull("openvr") ? Path.of(node.get("openvr").asText()) : null,
        node.hasNonNull("monado") ? Path.of(node.get("monado").asText()) : null,
        node.path("realtime").asBoolean(true),
        node.path("maxRejectedPerSecond").asInt(10));
  }
}
