package io.valentia.web.ingest;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import io.valentia.eventbus.testing.SampleEvents;
import io.vertx.core.MultiMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing what {@code POST /api/v1/events} reads: CloudEvents in structured mode (a sample of every
 * event type, mutated, or random JSON) are decoded or refused with an {@link InvalidEventException}
 * (or, when not JSON, an {@link IOException}); binary-mode headers and bodies likewise; each within
 * the per-input limit. A short run; {@code ParserFuzzBenchmark} in the bench module runs a million
 * inputs.
 */
class CloudEventFuzzTest {
  static final List<String> SAMPLES = samples();
  static final List<String> TOKENS = tokens();

  @Property(tries = 500)
  @Label("A structured-mode CloudEvent, mutated or random, is decoded or refused")
  void structured(@ForAll("events") String body) {
    Fuzzing.check(
        body,
        text -> {
          EventCodec.instance().decode(EventCodec.MAPPER.readTree(text));
          EventCodec.instance().decode(text.getBytes(StandardCharsets.UTF_8));
        },
        InvalidEventException.class,
        IOException.class);
  }

  @Property(tries = 300)
  @Label("A binary-mode CloudEvent (ce-* headers and a body), mutated, is decoded or refused")
  void binary(@ForAll("events") String structured, @ForAll("contentTypes") String contentType) {
    Fuzzing.check(
        structured,
        text -> {
          MultiMap headers = MultiMap.caseInsensitiveMultiMap();
          var tree = EventCodec.MAPPER.readTree(text);
          String body = null;
          if (tree != null && tree.isObject()) {
            var fields = tree.fields();
            while (fields.hasNext()) {
              var field = fields.next();
              if (field.getKey().equals("data")) {
                body = field.getValue().toString();
              } else {
                headers.add("ce-" + field.getKey(), field.getValue().asText());
              }
            }
          }
          EventCodec.instance().decode(EventsIngest.binary(headers, contentType, body));
        },
        InvalidEventException.class,
        IOException.class);
  }

  @Provide
  Arbitrary<String> events() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(SAMPLES), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutateJson(sample, new Random(seed), TOKENS)),
        Combinators.combine(Arbitraries.of(SAMPLES), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Arbitraries.longs()
            .map(seed -> Mutator.randomJson(new Random(seed), 4, TOKENS).toString()));
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of("", "application/json", "text/plain", "application/cloudevents+json");
  }

  static List<String> samples() {
    List<String> out = new ArrayList<>();
    for (EventType type : EventType.values()) {
      out.add(EventCodec.instance().encodeToString(SampleEvents.event(type, "osd-12")));
    }
    // the CloudEvents specification's own example, a type Valentia does not know
    out.add(
        "{\"specversion\":\"1.0\",\"type\":\"com.github.pull_request.opened\","
            + "\"source\":\"https://github.com/cloudevents/spec/pull\",\"subject\":\"123\","
            + "\"id\":\"A234-1234-1234\",\"time\":\"2018-04-05T17:31:00Z\",\"comexampleextension1\":"
            + "\"value\",\"comexampleothervalue\":5,\"datacontenttype\":\"text/xml\","
            + "\"data\":\"<much wow=\\\"xml\\\"/>\"}");
    return List.copyOf(out);
  }

  private static List<String> tokens() {
    List<String> out = new ArrayList<>();
    SAMPLES.forEach(s -> out.addAll(Mutator.tokensOf(s)));
    return List.copyOf(out);
  }
}
