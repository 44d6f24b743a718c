package io.valentia.notifications.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.EventCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MatcherTest {
  @Test
  @DisplayName("The four operators parse, quoted or not, with spaces around the tokens")
  void parsesOperators() {
    assertThat(Matcher.parse("severity=\"critical\""))
        .isEqualTo(Matcher.of(Matcher.Type.EQUAL, "severity", "critical"));
    assertThat(Matcher.parse("severity=critical"))
        .isEqualTo(Matcher.of(Matcher.Type.EQUAL, "severity", "critical"));
    assertThat(Matcher.parse(" severity != \"info\" "))
        .isEqualTo(Matcher.of(Matcher.Type.NOT_EQUAL, "severity", "info"));
    assertThat(Matcher.parse("severity=~\"critical|warning\""))
        .isEqualTo(Matcher.of(Matcher.Type.REGEX, "severity", "critical|warning"));
    assertThat(Matcher.parse("host!~db-.*"))
        .isEqualTo(Matcher.of(Matcher.Type.NOT_REGEX, "host", "db-.*"));
    assertThat(Matcher.parse("empty=\"\"")).isEqualTo(Matcher.equal("empty", ""));
    assertThat(Matcher.parse("empty=")).isEqualTo(Matcher.equal("empty", ""));
  }

  @Test
  @DisplayName("Quoted values unescape \\\", \\\\ and \\n, and print back to the same text")
  void escapes() {
    Matcher m = Matcher.parse("summary=\"say \\\"hi\\\", then\\\\ \\nbye\"");
    assertThat(m.value()).isEqualTo("say \"hi\", then\\ \nbye");
    assertThat(m.toString()).isEqualTo("summary=\"say \\\"hi\\\", then\\\\ \\nbye\"");
    assertThat(Matcher.parse(m.toString())).isEqualTo(m);
  }

  @Test
  @DisplayName("Malformed matchers are refused with Alertmanager's messages")
  void refusesMalformed() {
    assertThatThrownBy(() -> Matcher.parse("severity~critical"))
        .hasMessage("bad matcher format: severity~critical");
    assertThatThrownBy(() -> Matcher.parse("1abc=x")).hasMessageStartingWith("bad matcher format");
    assertThatThrownBy(() -> Matcher.parse("a=\"unterminated"))
        .hasMessageStartingWith("matcher value contains unescaped double quote");
    assertThatThrownBy(() -> Matcher.parse("a=\"x\"y\""))
        .hasMessageStartingWith("matcher value contains unescaped double quote");
    assertThatThrownBy(() -> Matcher.parse("a=~\"(\""))
        .hasMessageStartingWith("invalid regular expression \"(\"");
  }

  @Test
  @DisplayName(
      "Regular expressions are anchored at both ends, and a missing label is the empty string")
  void anchoredRegex() {
    Matcher crit = Matcher.regex("severity", "crit");
    assertThat(crit.matches(Map.of("severity", "crit"))).isTrue();
    assertThat(crit.matches(Map.of("severity", "critical"))).isFalse();
    assertThat(crit.matches(Map.of("severity", "xcrit"))).isFalse();
    Matcher either = Matcher.parse("severity=~\"critical|warning\"");
    assertThat(either.matches(Map.of("severity", "warning"))).isTrue();
    assertThat(either.matches(Map.of("severity", "critical-ish"))).isFalse();
    assertThat(Matcher.parse("host!~\"db-.*\"").matches(Map.of())).isTrue();
    assertThat(Matcher.parse("host=\"\"").matches(Map.of())).isTrue();
    assertThat(Matcher.parse("host!=\"\"").matches(Map.of())).isFalse();
    assertThat(Matcher.parse("host=~\".*\"").matches(Map.of())).isTrue();
    assertThat(Matcher.parse("host=~\".+\"").matches(Map.of())).isFalse();
  }

  @Test
  @DisplayName("A list splits at commas outside quotes, with optional braces and a trailing comma")
  void parsesLists() {
    assertThat(Matcher.parseList("{foo = \"bar\", dings != \"bums\", }"))
        .containsExactly(
            Matcher.equal("foo", "bar"), Matcher.of(Matcher.Type.NOT_EQUAL, "dings", "bums"));
    assertThat(Matcher.parseList("quote=\"She said: \\\"Hi, ladies!\\\"\",statuscode=~\"5..\""))
        .containsExactly(
            Matcher.equal("quote", "She said: \"Hi, ladies!\""),
            Matcher.regex("statuscode", "5.."));
    assertThat(Matcher.parseList("")).isEmpty();
  }

  @Test
  @DisplayName("Matchers sort by name, then value, then operator, and print as Alertmanager's set")
  void sortsAndPrints() {
    List<Matcher> sorted =
        new java.util.ArrayList<>(
            List.of(
                Matcher.parse("owner=\"team-A\""),
                Matcher.parse("level!=\"critical\""),
                Matcher.parse("level=\"critical\"")));
    java.util.Collections.sort(sorted);
    assertThat(Matcher.toString(sorted))
        .isEqualTo("{level=\"critical\",level!=\"critical\",owner=\"team-A\"}");
    assertThat(Matcher.toString(List.of())).isEqualTo("{}");
  }

  @Test
  @DisplayName("A matcher's JSON form is its text, and reads back")
  void json() throws Exception {
    Matcher m = Matcher.parse("severity=~\"critical|warning\"");
    String json = EventCodec.MAPPER.writeValueAsString(m);
    assertThat(json).isEqualTo("\"severity=~\\\"critical|warning\\\"\"");
    assertThat(EventCodec.MAPPER.readValue(json, Matcher.class)).isEqualTo(m);
  }

  @Test
  @DisplayName("Group keys quote label values as Go does")
  void labelSets() {
    assertThat(LabelSets.format(Map.of("b", "2", "a", "x\"y\n")))
        .isEqualTo("{a=\"x\\\"y\\n\", b=\"2\"}");
    assertThat(LabelSets.format(Map.of())).isEqualTo("{}");
  }
}
