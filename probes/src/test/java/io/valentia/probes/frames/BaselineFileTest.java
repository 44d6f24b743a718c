package io.valentia.probes.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineFileTest {
  @TempDir Path dir;

  @Test
  @DisplayName("Saved baselines are read back as they were, and a missing file is no baseline")
  void roundTrip() throws Exception {
    BaselineFile file = new BaselineFile(dir.resolve("sub/frame-baselines.json"));
    assertThat(file.load().baselines()).isEmpty();
    assertThat(file.load().problems()).isEmpty();

    Map<String, BaselineFile.Entry> entries = new LinkedHashMap<>();
    entries.put("loop", new BaselineFile.Entry(90, 0.75, 600));
    entries.put("monado", new BaselineFile.Entry(144, 0, 12));
    file.save(entries);

    assertThat(file.load().baselines()).isEqualTo(entries);
    assertThat(file.load().problems()).isEmpty();
  }

  @Test
  @DisplayName("An entry that is not valid is reported and skipped; the others are used")
  void badEntry() throws Exception {
    Path path = dir.resolve("frame-baselines.json");
    Files.writeString(
        path,
        "{\"version\":1,\"baselines\":{\"loop\":{\"hz\":90,\"dropsPerSecond\":-1,\"intervals\":5},"
            + "\"openvr\":{\"hz\":90,\"dropsPerSecond\":1.5,\"intervals\":40}}}");

    BaselineFile.Loaded loaded = new BaselineFile(path).load();

    assertThat(loaded.baselines()).containsOnlyKeys("openvr");
    assertThat(loaded.problems()).singleElement().asString().contains("baselines.loop ignored");
    assertThat(path).exists(); // only a file that is not the format at all is moved aside
  }

  @Test
  @DisplayName("A file that is not the format is reported, moved aside and ignored, never thrown")
  void notTheFormat() throws Exception {
    Path path = dir.resolve("frame-baselines.json");
    Files.writeString(path, "[1, 2, 3]");

    BaselineFile.Loaded loaded = new BaselineFile(path).load();

    assertThat(loaded.baselines()).isEmpty();
    assertThat(loaded.problems()).singleElement().asString().contains("no \"baselines\" object");
    assertThat(path).doesNotExist();
    assertThat(dir.resolve("frame-baselines.json.corrupt")).hasContent("[1, 2, 3]");
  }
}
