package io.valentia.web.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The stream filter language (a subset of CEL), compiled once")
class EventFilterTest {
  private static final JsonNode MISMATCH =
      json(
          "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/probes/mtu/osd-12\","
              + "\"type\":\"io.valentia.probe.mtu.mismatch.v1\",\"time\":\"2026-11-29T04:00:00Z\","
              + "\"subject\":\"osd-12\",\"severity\":\"warning\",\"experimentid\":\"exp-42\","
              + "\"data\":{\"peer\":\"osd-7\",\"largestPassingBytes\":1472,"
              + "\"smallestFailingBytes\":8972,\"estimatedPathMtu\":1500,\"direction\":\"out\","
              + "\"tags\":[\"rack1\",\"dc1\"],\"odd key\":true,\"ok\":false}}");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "type == 'io.valentia.probe.mtu.mismatch.v1';true",
        "type.startsWith(\"io.valentia.probe.\");true",
        "type.endsWith('.v2');false",
        "subject == 'osd-12' && severity == 'warning';true",
        "subject == 'osd-7' || data.peer == 'osd-7';true",
        "severity >= 'warning';true",
        "severity > 'warning';false",
        "severity < 'critical';true",
        "data.smallestFailingBytes > 8000;true",
        "data.estimatedPathMtu == 1500.0;true",
        "data.largestPassingBytes < 1472;false",
        "data['odd key'];true",
        "!data.ok;true",
        "data.ok;false",
        "'rack1' in data.tags;true",
        "'rack9' in data.tags;false",
        "subject in ['osd-1', 'osd-12'];true",
        "'peer' in data;true",
        "has(data.peer) && !has(data.nothing);true",
        "data.nothing == 'x';false",
        "data.nothing != 'x';false",
        "data.nothing > 3;false",
        "data.nothing > 3 || subject == 'osd-12';true",
        "source.matches('^/probes/mtu/');true",
        "subject.contains('sd-1');true",
        "data.tags.size() == 2;true",
        "data.tags[1] == 'dc1';true",
        "time >= '2026-11-29T00:00:00Z' && time < '2026-11-30';true",
        "experimentid == 'exp-42';true",
        "incidentid == 'inc-1';false",
        "(subject == 'a' || subject == 'osd-12') && !(severity == 'info');true",
        "!'text';false",
        "subject;false",
      })
  @DisplayName(
      "Filters over type, subject, severity, attributes and data fields select as documented.")
  void evaluates(String filter, boolean expected) {
    assertThat(EventFilter.compile(filter).test(MISMATCH)).isEqualTo(expected);
  }

  @Test
  @DisplayName("An empty or absent filter passes every event.")
  void emptyPassesAll() {
    assertThat(EventFilter.compile(null).test(MISMATCH)).isTrue();
    assertThat(EventFilter.compile("  ").test(json("{}"))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "type = 'x';1;6;compare with '=='",
        "type ==;1;8;expected a value, found the end",
        "(type == 'x';1;13;expected ')'",
        "type == 'x;1;9;a string is not closed",
        "type.frobnicate('x');1;6;unknown function frobnicate()",
        "subject.matches('[unclosed');1;17;not a regular expression",
        "type == 'a' subject;1;13;expected an operator or the end",
        "type # 1;1;6;unexpected character '#'",
        "type.startsWith();1;6;startsWith() takes 1 argument",
      })
  @DisplayName("A bad filter is refused at compile time, naming the column and what was expected.")
  void badFiltersAreRefused(String filter, int unused, int column, String message) {
    assertThatThrownBy(() -> EventFilter.compile(filter))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("column " + column)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((FilterSyntaxException) e).column()).isEqualTo(column));
  }

  private static JsonNode json(String text) {
    try {
      return EventCodec.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
