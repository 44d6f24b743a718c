package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TolerancesTest {
  private static JsonNode json(String text) throws Exception {
    return EventCodec.MAPPER.readTree(text);
  }

  private static Tolerances.Verdict check(String tolerance, String value) throws Exception {
    return Tolerances.check(
        json(tolerance), json(value), (t, v) -> new Tolerances.Verdict(v.asInt() < 10, "too big"));
  }

  @Test
  @DisplayName(
      "Booleans, integers, strings and lists compare with the output, or with the status of an HTTP or process output")
  void plainTolerances() throws Exception {
    assertThat(check("true", "true").met()).isTrue();
    assertThat(check("true", "false").met()).isFalse();
    assertThat(check("200", "{\"status\": 200, \"body\": \"ok\"}").met()).isTrue();
    assertThat(check("0", "{\"status\": 1, \"stdout\": \"\"}").reason())
        .isEqualTo("expected 0, found 1");
    assertThat(check("\"ok\"", "{\"status\": 0, \"stdout\": \"ok\\n\"}").met()).isTrue();
    assertThat(check("[200, 204]", "{\"status\": 204}").met()).isTrue();
    assertThat(check("[200, 204]", "{\"status\": 503}").met()).isFalse();
  }

  @Test
  @DisplayName(
      "regex looks at stdout or body (or a target), jsonpath at the JSON of the body, range at the value")
  void typedTolerances() throws Exception {
    assertThat(
            check(
                    "{\"type\": \"regex\", \"pattern\": \"load average\"}",
                    "{\"status\": 0, \"stdout\": \"up 3 days, load average: 0.1\"}")
                .met())
        .isTrue();
    assertThat(
            check(
                    "{\"type\": \"regex\", \"pattern\": \"^T$\", \"target\": \"stderr\"}",
                    "{\"stdout\": \"T\", \"stderr\": \"S\"}")
                .met())
        .isFalse();
    assertThat(
            check(
                    "{\"type\": \"jsonpath\", \"path\": \"$.status\", \"expect\": \"HEALTH_OK\", \"target\": \"body\"}",
                    "{\"status\": 200, \"body\": {\"status\": \"HEALTH_OK\"}}")
                .met())
        .isTrue();
    assertThat(
            check(
                    "{\"type\": \"jsonpath\", \"path\": \"$.checks[*].severity\", \"expect\": [\"HEALTH_WARN\"], \"target\": \"body\"}",
                    "{\"body\": \"{\\\"checks\\\": [{\\\"severity\\\": \\\"HEALTH_WARN\\\"}]}\"}")
                .met())
        .isTrue();
    assertThat(check("{\"type\": \"jsonpath\", \"path\": \"$.missing\"}", "{\"a\": 1}").met())
        .isFalse();
    assertThat(check("{\"type\": \"range\", \"range\": [0, 5]}", "3.5").met()).isTrue();
    assertThat(check("{\"type\": \"range\", \"range\": [0, 5]}", "12").reason())
        .isEqualTo("expected within [0,5], found 12");
    assertThat(check("{\"type\": \"probe\"}", "3").met()).isTrue();
  }

  @Test
  @DisplayName("Badly written tolerances are reported: unknown type, bad regex, bad range")
  void problems() throws Exception {
    assertThat(
            Tolerances.problems(json("{\"type\": \"fuzzy\"}"), (t, p) -> java.util.List.of(), "x"))
        .containsExactly("type: must be one of regex, jsonpath, range, probe, found fuzzy");
    assertThat(
            Tolerances.problems(
                    json("{\"type\": \"regex\", \"pattern\": \"(\"}"),
                    (t, p) -> java.util.List.of(),
                    "x")
                .get(0))
        .startsWith("pattern: not a valid regular expression");
    assertThat(
            Tolerances.problems(
                json("{\"type\": \"range\", \"range\": [1]}"), (t, p) -> java.util.List.of(), "x"))
        .containsExactly("range: must be two numbers [low, high]");
    assertThat(Tolerances.problems(json("null"), (t, p) -> java.util.List.of(), "x")).hasSize(1);
  }
}
