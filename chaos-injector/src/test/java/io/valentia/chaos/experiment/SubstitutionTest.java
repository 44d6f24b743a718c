package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SubstitutionTest {

  private static JsonNode json(String text) throws Exception {
    return EventCodec.MAPPER.readTree(text);
  }

  @Test
  @DisplayName("Only a string with ${ has a placeholder; numbers, nulls and plain text do not")
  void findsPlaceholders() throws Exception {
    assertThat(Substitution.hasPlaceholder("http://${host}/")).isTrue();
    assertThat(Substitution.hasPlaceholder(json("\"${port}\""))).isTrue();
    assertThat(Substitution.hasPlaceholder("$host")).isFalse();
    assertThat(Substitution.hasPlaceholder((String) null)).isFalse();
    assertThat(Substitution.hasPlaceholder(json("8080"))).isFalse();
    assertThat(Substitution.hasPlaceholder((JsonNode) null)).isFalse();
  }

  @Test
  @DisplayName(
      "A whole-string placeholder takes the value with its JSON type, one inside text is inserted as text, and unknown ones stay and are named")
  void substitutes() throws Exception {
    Set<String> unknown = new LinkedHashSet<>();
    JsonNode out =
        Substitution.substitute(
            json(
                """
                {"port": "${port}", "url": "http://${host}:${port}/${path}", "list": ["${missing}", 3],
                 "nested": {"labels": "${labels}"}}
                """),
            Map.of("port", json("8080"), "host", json("\"db\""), "labels", json("{\"a\": 1}")),
            unknown);

    assertThat(out.get("port").isInt()).isTrue();
    assertThat(out.get("url").asText()).isEqualTo("http://db:8080/${path}");
    assertThat(out.get("list").get(0).asText()).isEqualTo("${missing}");
    assertThat(out.get("list").get(1).asInt()).isEqualTo(3);
    assertThat(out.get("nested").get("labels").get("a").asInt()).isEqualTo(1);
    assertThat(unknown).containsExactly("path", "missing");
  }
}
