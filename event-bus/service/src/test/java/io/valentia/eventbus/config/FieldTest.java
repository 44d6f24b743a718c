package io.valentia.eventbus.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Field types read what their name says and refuse the rest with a problem")
class FieldTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ConfigSection section(String json) throws Exception {
    JsonNode node = JSON.readTree(json);
    return ConfigSection.of(node);
  }

  @Test
  @DisplayName("Each type reads a value of its kind.")
  void reads() throws Exception {
    ConfigSection s =
        section(
            "{\"s\": \"a\", \"t\": 5, \"b\": false, \"i\": 7, \"l\": 5000000000, \"n\": 0.5,"
                + " \"d\": \"1h30m\", \"list\": [\"x\", \"y\"], \"node\": {\"k\": 1}}");

    assertThat(s.get(Field.string("s"))).isEqualTo("a");
    assertThat(s.get(Field.text("t"))).isEqualTo("5");
    assertThat(s.get(Field.bool("b"))).isFalse();
    assertThat(s.get(Field.integer("i"))).isEqualTo(7);
    assertThat(s.get(Field.longInteger("l"))).isEqualTo(5_000_000_000L);
    assertThat(s.get(Field.number("n"))).isEqualTo(0.5);
    assertThat(s.get(Field.duration("d"))).isEqualTo(Duration.ofMinutes(90));
    assertThat(s.get(Field.strings("list"))).containsExactly("x", "y");
    assertThat(s.get(Field.node("node")).path("k").asInt()).isEqualTo(1);
    assertThat(s.problems()).isEmpty();
  }

  @Test
  @DisplayName("A value of the wrong kind is a problem and the default stands in for it.")
  void refuses() throws Exception {
    ConfigSection s =
        section(
            "{\"s\": 1, \"t\": [1], \"b\": \"yes\", \"i\": 1.5, \"l\": \"9\", \"n\": \"x\","
                + " \"d\": \"soon\", \"list\": [1]}");

    assertThat(s.get(Field.string("s").withDefault("dflt"))).isEqualTo("dflt");
    assertThat(s.get(Field.text("t"))).isNull();
    assertThat(s.get(Field.bool("b").withDefault(true))).isTrue();
    assertThat(s.get(Field.integer("i").withDefault(3))).isEqualTo(3);
    assertThat(s.get(Field.longInteger("l"))).isNull();
    assertThat(s.get(Field.number("n"))).isNull();
    assertThat(s.get(Field.duration("d").withDefault(Duration.ZERO))).isZero();
    assertThat(s.get(Field.strings("list").withDefault(List.of()))).isEmpty();
    assertThat(s.problemLines())
        .containsExactly(
            "s: must be a string",
            "t: must be a single value",
            "b: must be true or false",
            "i: must be an integer",
            "l: must be an integer",
            "n: must be a number",
            "d: not a duration: \"soon\" (write e.g. 500ms, 30s, 5m or 2h)",
            "list: must be a list of strings");
  }

  @Test
  @DisplayName("Checks run in order and the first that fails is the problem.")
  void checksInOrder() throws Exception {
    Field<String> receiver =
        Field.string("receiver")
            .validate(r -> !r.isEmpty(), "must not be empty")
            .validate(r -> r.equals("pager"), node -> "undefined receiver " + node);
    ConfigSection empty = section("{\"receiver\": \"\"}");
    ConfigSection other = section("{\"receiver\": \"mail\"}");

    empty.get(receiver);
    other.get(receiver);

    assertThat(empty.problemLines()).containsExactly("receiver: must not be empty");
    assertThat(other.problemLines()).containsExactly("receiver: undefined receiver \"mail\"");
  }
}
