package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.nio.file.Path;
import java.util.List;

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
  private static final Field<Integer> HZ =
      Field.of(
              "hz",
              node -> {
                if (!node.canConvertToInt()) {
                  throw new IllegalArgumentException("not an integer");
                }
                return node.asInt();
              })
          .withDefault(90)
          .validateAll(
              hz -> hz >= 1 && hz <= 1000,
              node -> "must be an integer from 1 to 1000, found " + node)
          .withDescription("refresh rate of the render loop and of OpenVR timing");
  private static final Field<Double> WORK_MS =
      Field.number("workMs")
          .withDefault(2.0)
          .withDescription("CPU work per frame of the render loop, in ms");
  private static final Field<Integer> MAX_REJECTED =
      Field.integer("maxRejectedPerSecond")
          .withDefault(10)
          .validateAll(n -> n >= 0, node -> "must be an integer of 0 or more, found " + node)
          .withDescription("records not in the format per second before FRAME_INGEST_FAILED");
  private static final Field<Boolean> ENABLED = flag("enabled");
  private static final Field<Boolean> LOOP = flag("loop");
  private static final Field<Boolean> REALTIME = flag("realtime");
  private static final Field<Path> OPENVR = file("openvr");
  private static final Field<Path> MONADO = file("monado");
  private static final List<Field<?>> FIELDS =
      List.of(ENABLED, HZ, WORK_MS, LOOP, OPENVR, MONADO, REALTIME, MAX_REJECTED);

  private static Field<Boolean> flag(String name) {
    return Field.bool(name)
        .withDefault(true)
        .invalid(node -> "must be true or false, found " + node);
  }

  private static Field<Path> file(String name) {
    return Field.of(
        name,
        node -> {
          if (!node.isTextual()) {
            throw new IllegalArgumentException("must be a file path, found " + node);
          }
          return Path.of(node.asText());
        });
  }

  /** Every problem of {@code node}, each naming its key. */
  public static List<String> problems(JsonNode node) {
    ConfigSection section = ConfigSection.of(node);
    read(section);
    return section.problemLines();
  }

  /**
   * @throws ConfigException listing every problem
   */
  public static FramesConfig from(JsonNode node) {
    ConfigSection section = ConfigSection.of(node);
    FramesConfig config = read(section);
    section.throwIfProblems("bad probes.frames configuration");
    return config;
  }

  private static FramesConfig read(ConfigSection section) {
    if (section.isAbsent()) {
      return new FramesConfig(
          HZ.defaultValue(), WORK_MS.defaultValue(), true, null, null, true, 10);
    }
    if (!section.node().isObject()) {
      section.problem("(section)", "must be a mapping");
      return null;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    int hz = section.get(HZ);
    double budget = 1000.0 / hz;
    double work =
        section.get(
            WORK_MS.validateAll(
                ms -> ms >= 0 && ms < budget,
                node -> "must be a number from 0 to below the frame budget, found " + node));
    section.get(ENABLED);
    return new FramesConfig(
        hz,
        work,
        section.get(LOOP),
        section.get(OPENVR),
        section.get(MONADO),
        section.get(REALTIME),
        section.get(MAX_REJECTED));
  }
}
