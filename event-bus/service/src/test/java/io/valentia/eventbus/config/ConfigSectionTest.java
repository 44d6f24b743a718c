package io.valentia.eventbus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ConfigSection reads typed fields and reports every problem at once")
class ConfigSectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Field<Integer> PORT =
      Field.integer("port")
          .withDefault(7347)
          .validate(p -> p >= 0 && p <= 65_535, "must be an integer from 0 to 65535")
          .invalid("must be an integer from 0 to 65535")
          .withDescription("the UDP port");
  private static final Field<Duration> INTERVAL =
      Field.duration("interval")
          .withDefault(Duration.ofSeconds(30))
          .validate(d -> !d.isZero(), "must be above 0");
  private static final Field<Boolean> AGENT = Field.bool("agent").withDefault(true);
  private static final Field<String> NAME = Field.string("name").required("missing: required");
  private static final List<Field<?>> FIELDS = List.of(PORT, INTERVAL, AGENT, NAME);

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  @DisplayName("Present keys are read with their types, absent and null ones take the defaults.")
  void reads() throws Exception {
    ConfigSection section =
        ConfigSection.of(json("{\"port\": 9000, \"name\": \"a\", \"agent\": null}"));

    assertThat(section.get(PORT)).isEqualTo(9000);
    assertThat(section.get(INTERVAL)).isEqualTo(Duration.ofSeconds(30));
    assertThat(section.get(AGENT)).isTrue();
    assertThat(section.get(NAME)).isEqualTo("a");
    assertThat(section.problems()).isEmpty();
    assertThat(PORT.description()).isEqualTo("the UDP port");
    assertThat(PORT.defaultValue()).isEqualTo(7347);
  }

  @Test
  @DisplayName("Every bad, missing and unknown key is one problem naming its key path.")
  void everyProblem() throws Exception {
    ConfigSection root =
        ConfigSection.of(
            json(
                "{\"mtu\": {\"port\": 70000, \"interval\": \"0s\","
                    + " \"agent\": \"yes\", \"colour\": \"red\"}}"),
            "probes",
            k -> null);
    ConfigSection mtu = root.section("mtu");
    mtu.checkKeys(FIELDS, UnknownKeys.listingKnown());
    for (Field<?> f : FIELDS) {
      mtu.get(f);
    }

    assertThat(root.problemLines())
        .containsExactlyInAnyOrder(
            "probes.mtu.colour: unknown key (known: agent, interval, name, port)",
            "probes.mtu.port: must be an integer from 0 to 65535",
            "probes.mtu.interval: must be above 0",
            "probes.mtu.agent: must be true or false",
            "probes.mtu.name: missing: required");
    assertThatThrownBy(() -> root.throwIfProblems("bad configuration"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad configuration (5 problems):")
        .satisfies(
            e -> assertThat(((ConfigException) e).problems()).isEqualTo(root.problemLines()));
  }

  @Test
  @DisplayName(
      "A problem names where its value came from: its own key's source or the nearest enclosing"
          + " one's.")
  void sources() throws Exception {
    Map<String, String> origin =
        Map.of("http.port", "VALENTIA_HTTP_PORT", "http", "valentia.yaml", "http.items[0]", "--x");
    ConfigSection http =
        ConfigSection.of(
            json("{\"port\": \"x\", \"host\": [], \"items\": [{}, 3]}"), "http", origin::get);
    http.get(Field.integer("port"));
    http.get(Field.text("host"));
    List<ConfigSection> items = http.section("items").items("must be a list");
    items.get(0).problem("a", "bad");
    items.get(1).isMapping("must be a mapping");
    http.section("none").items("must be a list");
    http.section("port").items("must be a list");

    assertThat(http.problemLines())
        .containsExactly(
            "http.port (from VALENTIA_HTTP_PORT): must be an integer",
            "http.host (from valentia.yaml): must be a single value",
            "http.items[0].a (from --x): bad",
            "http.items[1] (from valentia.yaml): must be a mapping",
            "http.port (from VALENTIA_HTTP_PORT): must be a list");
  }

  @Test
  @DisplayName("Unknown keys may be worded by their section, or suggest the nearest known key.")
  void unknownKeys() throws Exception {
    ConfigSection section = ConfigSection.of(json("{\"kafka.bootstrp\": 1, \"colour\": 2}"));
    section.checkKeyNames(List.of("kafka.bootstrap", "kafka.port"), UnknownKeys.suggesting());
    section.checkKeyNames(List.of("a"), (key, known) -> "not supported here " + known);

    assertThat(section.problemLines())
        .containsExactly(
            "kafka.bootstrp: unknown key (did you mean kafka.bootstrap?)",
            "colour: unknown key",
            "kafka.bootstrp: not supported here [a]",
            "colour: not supported here [a]");
  }

  @Test
  @DisplayName("A bad value's message can quote it as written, for a type error and a check alike.")
  void messagesQuoteTheValue() throws Exception {
    Field<Integer> max =
        Field.integer("max")
            .withDefault(5)
            .validateAll(m -> m >= 1, n -> "must be a positive integer, found " + n);
    ConfigSection section = ConfigSection.of(json("{\"max\": 0}"));
    ConfigSection text = ConfigSection.of(json("{\"max\": \"many\"}"));

    assertThat(section.get(max)).isEqualTo(5);
    assertThat(text.get(max)).isEqualTo(5);
    assertThat(section.problemLines()).containsExactly("max: must be a positive integer, found 0");
    assertThat(text.problemLines())
        .containsExactly("max: must be a positive integer, found \"many\"");
  }

  @Test
  @DisplayName("A section that is not a mapping is one problem of the section itself.")
  void notAMapping() throws Exception {
    ConfigSection section = ConfigSection.of(json("[1]"));

    assertThat(section.isMapping("must be a mapping")).isFalse();
    assertThat(ConfigSection.of(null).isMapping("must be a mapping")).isFalse();
    assertThat(ConfigSection.of(null).isAbsent()).isTrue();
    assertThat(section.problemLines()).containsExactly("must be a mapping");
  }

  @Test
  @DisplayName(
      "Problems of a sub-section's own reader are adopted under the sub-section's key path and"
          + " source.")
  void adopt() throws Exception {
    ConfigSection root =
        ConfigSection.of(json("{\"probes\": {}}"), "", Map.of("probes", "valentia.yaml")::get);
    root.section("probes")
        .adopt(
            List.of(
                "mtu.peers[0]: \"osd-7\": not HOST:PORT",
                "must be a mapping",
                "bad matcher format: x"));

    assertThat(root.problemLines())
        .containsExactly(
            "probes.mtu.peers[0] (from valentia.yaml): \"osd-7\": not HOST:PORT",
            "probes (from valentia.yaml): must be a mapping",
            "probes (from valentia.yaml): bad matcher format: x");
  }
}
