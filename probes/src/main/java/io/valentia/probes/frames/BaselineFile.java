package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drop baselines the frame probe learnt, kept in a JSON file so that a restarted probe does not
 * learn the noise of its machine again (and cannot mistake a fault that is already running for
 * normal):
 *
 * <pre>
 * {"version": 1, "baselines": {"loop": {"hz": 90, "dropsPerSecond": 0.4, "intervals": 600,
 *                                        "updated": "2026-11-29T04:00:00Z"}}}
 * </pre>
 *
 * Keys are the frame sources ({@code loop}, {@code openvr}, {@code monado}). Writes go to a
 * temporary file that is then moved over the old one, so a crash leaves the old or the new file,
 * never half of one. Blocking: call it from a worker. Not thread-safe.
 */
public final class BaselineFile {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * One source's baseline.
   *
   * @param hz the refresh rate it was learnt at (a baseline of another rate does not apply)
   * @param dropsPerSecond the learnt drops per one-second interval
   * @param intervals how many intervals it was learnt from
   */
  public record Entry(int hz, double dropsPerSecond, long intervals) {}

  /**
   * What {@link #load()} found.
   *
   * @param baselines the valid entries by source
   * @param problems what was wrong with the file (entries or the whole file ignored); empty when
   *     nothing was
   */
  public record Loaded(Map<String, Entry> baselines, List<String> problems) {}

  private final Path file;

  /**
   * @param file the JSON file, e.g. {@code DATA/probes/frame-baselines.json}
   */
  public BaselineFile(Path file) {
    this.file = file;
  }

  public Path path() {
    return file;
  }

  /**
   * Reads the file. A missing file is no baseline yet. A file that is not the format is reported in
   * {@link Loaded#problems()}, moved aside to {@code NAME.corrupt} (so the next save does not
   * destroy it) and ignored; an entry that is not valid is reported and skipped. Never throws for
   * the file's content.
   */
  public Loaded load() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new Loaded(Map.of(), List.of());
    } catch (IOException e) {
      return new Loaded(Map.of(), List.of(file + ": cannot read: " + e));
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      return corrupt("not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.path("baselines").isObject()) {
      return corrupt("no \"baselines\" object");
    }
    Map<String, Entry> baselines = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    root.path("baselines")
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue();
              JsonNode hz = v.path("hz");
              JsonNode drops = v.path("dropsPerSecond");
              JsonNode intervals = v.path("intervals");
              if (!hz.canConvertToInt()
                  || hz.asInt() < 1
                  || !drops.isNumber()
                  || !Double.isFinite(drops.asDouble())
                  || drops.asDouble() < 0
                  || !intervals.canConvertToLong()
                  || intervals.asLong() < 0) {
                problems.add(
                    file
                        + ": baselines."
                        + e.getKey()
                        + " ignored: needs hz >= 1, dropsPerSecond >= 0 and intervals >= 0, found "
                        + v);
              } else {
                baselines.put(
                    e.getKey(), new Entry(hz.asInt(), drops.asDouble(), intervals.asLong()));
              }
            });
    return new Loaded(baselines, problems);
  }

  /** Replaces the file with these baselines, atomically where the file system allows it. */
  public void save(Map<String, Entry> baselines) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("version", 1);
    ObjectNode all = root.putObject("baselines");
    String now = Instant.now().toString();
    baselines.forEach(
        (source, entry) ->
            all.putObject(source)
                .put("hz", entry.hz())
                .put("dropsPerSecond", entry.dropsPerSecond())
                .put("intervals", entry.intervals())
                .put("updated", now));
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(
          temp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Loaded corrupt(String why) {
    String problem = file + ": " + why + "; ignored, every baseline is learnt again";
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
    try {
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      problem += " (the file was kept as " + aside.getFileName() + ")";
    } catch (IOException e) {
      problem += " (could not keep it aside: " + e.getMessage() + ")";
    }
    return new Loaded(Map.of(), List.of(problem));
  }
}
