package io.valentia.web.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import io.valentia.eventbus.testing.SampleEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing our use of CEL for live filters: an expression mutated from real filters or random
 * compiles or is refused with a {@link FilterSyntaxException}, and a compiled one is evaluated
 * against events of every type without an exception; each within the per-input limit. A short run;
 * {@code ParserFuzzBenchmark} in the bench module runs a million inputs.
 */
class EventFilterFuzzTest {
  static final List<String> SAMPLES = Fuzzing.lines(EventFilterFuzzTest.class, "/fuzz/filters.txt");
  static final List<String> TOKENS =
      List.of(
          "==",
          "!=",
          "<",
          "<=",
          ">",
          ">=",
          " in ",
          "&&",
          "||",
          "!",
          "(",
          ")",
          "[",
          "]",
          ".",
          ",",
          "has(",
          "size()",
          ".startsWith(",
          ".endsWith(",
          ".contains(",
          ".matches(",
          ".exists(t, ",
          ".all(t, ",
          ".map(t, ",
          "timestamp(",
          "duration('1h')",
          "event.",
          "has(event.",
          "t",
          "'",
          "\"",
          "\\",
          "data",
          "data.",
          "type",
          "subject",
          "severity",
          "source",
          "time",
          "id",
          "null",
          "true",
          "false",
          "1e308",
          "-0",
          "0x10",
          "'(a+)+$'",
          "'.*.*.*x'",
          "'[a-'",
          "'\\\\'");
  static final List<JsonNode> EVENTS = events();

  @Property(tries = 500)
  @Label("A filter, mutated from a real one or random, compiles or is refused, and evaluates")
  void filters(@ForAll("filters") String expression) {
    Fuzzing.check(
        expression,
        e -> {
          EventFilter filter = EventFilter.compile(e);
          for (JsonNode event : EVENTS) {
            filter.test(event);
          }
        },
        FilterSyntaxException.class);
  }

  @Example
  @Label(
      "Found by fuzzing: a filter nested thousands of brackets or parentheses deep is refused with"
          + " a syntax error, and thousands of '!' are folded, instead of overflowing the stack")
  void deepNesting() {
    for (String deep :
        List.of(
            "data.tags" + "[".repeat(3000),
            "(".repeat(2000) + "true" + ")".repeat(2000),
            "[".repeat(1500) + "]".repeat(1500) + " == null")) {
      assertThatThrownBy(() -> EventFilter.compile(deep))
          .isInstanceOf(FilterSyntaxException.class)
          .hasMessageContaining("nested too deep");
    }
    // CEL's parser folds repeated unary operators: an even number of '!' is the operand itself
    assertThat(EventFilter.compile("!".repeat(4000) + "true").test(EVENTS.get(0))).isTrue();
    assertThat(EventFilter.compile("!".repeat(3999) + "true").test(EVENTS.get(0))).isFalse();
    assertThat(
            EventFilter.compile("(".repeat(60) + "subject == 'osd-12'" + ")".repeat(60))
                .test(EVENTS.get(0)))
        .isTrue();
  }

  @Provide
  Arbitrary<String> filters() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(SAMPLES), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Arbitraries.longs()
            .map(
                seed ->
                    Mutator.randomText(new Random(seed), "abc._'\" ()[]!=<>&|0123", TOKENS, 120)),
        Arbitraries.strings().ofMaxLength(100));
  }

  static List<JsonNode> events() {
    List<JsonNode> out = new ArrayList<>();
    for (EventType type : EventType.values()) {
      out.add(EventCodec.instance().toJson(SampleEvents.event(type, "osd-12")));
    }
    return out;
  }
}
