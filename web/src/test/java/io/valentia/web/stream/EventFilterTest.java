package io.valentia.web.stream;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The stream filter: CEL over the CloudEvent, compiled and checked once")
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
        // standard CEL beyond the language it replaced
        "data.tags.exists(t, t.startsWith('rack'));true",
        "data.tags.all(t, t.endsWith('1'));true",
        "data.tags.exists_one(t, t.contains('k'));true",
        "data.tags.filter(t, t.matches('^dc[0-9]+$')) == ['dc1'];true",
        "data.tags.map(t, t.size()).exists(n, n > 5);false",
        "size(data.tags) == 2 && size(subject) == 6;true",
        "type in ['io.valentia.probe.mtu.mismatch.v1', 'io.valentia.chaos.fault.v1'];true",
        "data.exists(k, k.startsWith('smallest'));true",
        "data.peer.matches('osd-[0-9]+') && !subject.matches('^osd-[0-9]$');true",
        "timestamp(time) >= timestamp('2026-11-29T03:59:00Z');true",
        "timestamp(time) - duration('1h') > timestamp('2026-11-29T03:30:00Z');false",
        "timestamp(time).getHours() == 4;true",
        "has(event.experimentid) && !has(event.incidentid);true",
        "event.specversion == '1.0' && event['subject'] == subject;true",
        "int(data.estimatedPathMtu) - data.largestPassingBytes == 28;true",
        "double(data.largestPassingBytes) / 2.0 == 736.0;true",
        "string(data.estimatedPathMtu) == '1500';true",
        "data.smallestFailingBytes > 8000.5;true",
        "data.tags[0] + '/' + data.tags[1] == 'rack1/dc1';true",
        "severity in ['warning', 'critical'] && 'info' < severity;true",
        "'osd-10' < 'osd-9' && 'a' < 'b';true",
        "!(incidentid == 'inc-1');false",
        "incidentid == 'inc-1' || subject == 'osd-12';true",
        "[1, 2, 3].all(a, [1, 2, 3].all(b, a * b < 10));true",
      })
  @DisplayName(
      "Filters over type, subject, severity, attributes and data fields select as documented.")
  void evaluates(String filter, boolean expected) {
    assertThat(EventFilter.compile(filter).test(MISMATCH)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "severity >= 'warning' && type.startsWith('io.valentia.probe.')",
        "subject in ['osd-7', 'osd-12'] || data.peer == 'osd-7'",
        "data.smallestFailingBytes > 8000 && has(data.estimatedPathMtu)",
        "source.matches('^/probes/mtu/') && time >= '2026-11-29T04:00:00Z'",
        "data.tags.exists(t, t.startsWith('rack')) && has(event.experimentid)",
        "timestamp(time) > timestamp('2026-11-29T04:00:00Z') - duration('10m')",
        "subject.matches('^osd-\\\\d+$') && subject.matches(r'^osd-\\d+$')",
      })
  @DisplayName("Every example filter of docs/api.md selects the MTU mismatch it is written for.")
  void documentedExamples(String filter) {
    assertThat(EventFilter.compile(filter).test(MISMATCH)).isTrue();
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
        "type ==;1;8;mismatched input '<EOF>'",
        "(type == 'x';1;13;missing ')'",
        "type == 'x;1;9;token recognition error at: ''x'",
        "type.frobnicate('x');1;16;undeclared reference to 'frobnicate'",
        "subject.matches('[unclosed');1;17;Regex validation failed",
        "type == 'a' subject;1;13;extraneous input 'subject'",
        "type # 1;1;6;token recognition error at: '#'",
        "type.startsWith();1;16;found no matching overload for 'startsWith'",
        // type-checked now: these compiled before and passed nothing
        "!'text';1;1;found no matching overload for '!_'",
        "subject;1;1;expected type 'bool' but found 'string'",
        // what the language it replaced took and CEL does not, with the CEL form in the message
        "id == null;1;4;test it with has(event.NAME)",
        "partitionkey == 'k';1;1;another attribute is event.partitionkey",
        "subject.matches('^osd-\\d+$');1;17;or a raw string r'\\d'",
      })
  @DisplayName("A bad filter is refused at compile time with CEL's message and its column.")
  void badFiltersAreRefused(String filter, int unused, int column, String message) {
    assertThatThrownBy(() -> EventFilter.compile(filter))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("column " + column)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((FilterSyntaxException) e).column()).isEqualTo(column));
  }

  @Test
  @DisplayName("A filter longer than 4096 characters is refused before it is parsed.")
  void tooLong() {
    String filter = "subject == '" + "x".repeat(4090) + "'";
    assertThatThrownBy(() -> EventFilter.compile(filter))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("column 4097")
        .hasMessageContaining("at most 4096 characters");
  }

  @Test
  @DisplayName(
      "A filter whose macros would iterate a million times stops at its evaluation budget and"
          + " passes nothing, while the same filter over a few elements passes.")
  void evaluationBudget() {
    String hundred = IntStream.range(0, 100).mapToObj(Integer::toString).collect(joining(", "));
    String hostile =
        "[%1$s].all(a, [%1$s].all(b, [%1$s].all(c, a + b + c >= 0)))".formatted(hundred);
    assertThat(EventFilter.compile(hostile).test(MISMATCH)).isFalse();
    String small = "[%1$s].all(a, [%1$s].all(b, [%1$s].all(c, a + b + c >= 0)))".formatted("1, 2");
    assertThat(EventFilter.compile(small).test(MISMATCH)).isTrue();
  }

  @Test
  @DisplayName("A filter nested deeper than 64 levels is refused; one of 60 levels runs.")
  void depthLimit() {
    assertThatThrownBy(() -> EventFilter.compile("(".repeat(70) + "true" + ")".repeat(70)))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("recursion limit exceeded");
    assertThat(
            EventFilter.compile("(".repeat(60) + "subject == 'osd-12'" + ")".repeat(60))
                .test(MISMATCH))
        .isTrue();
  }

  private static JsonNode json(String text) {
    try {
      return EventCodec.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
