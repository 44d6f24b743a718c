package io.valentia.notifications.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import java.io.IOException;
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
 * Fuzzing {@code POST /api/v1/alertmanager} at the level of the request body: Alertmanager's
 * webhook (version 4, its documented shape) mutated as text and as JSON, or random JSON, is not
 * JSON (an {@link IOException}, answered 400), or gives events or problems; every event it gives is
 * valid; each within the per-input limit. {@link InboundParsersTest} draws JSON trees; a short run;
 * {@code ParserFuzzBenchmark} in the bench module runs a million inputs.
 */
class AlertmanagerFuzzTest {
  static final String SAMPLE =
      Fuzzing.resource(AlertmanagerFuzzTest.class, "/fuzz/alertmanager-v4.json");
  static final List<String> TOKENS = Mutator.tokensOf(SAMPLE);

  @Property(tries = 500)
  @Label("An Alertmanager webhook body, mutated or random, gives valid events or problems")
  void webhooks(@ForAll("bodies") String body) {
    Fuzzing.check(
        body,
        text -> {
          List<String> problems = new ArrayList<>();
          List<CloudEvent> events =
              AlertmanagerWebhook.events(EventCodec.MAPPER.readTree(text), problems);
          if (problems.isEmpty()) {
            for (CloudEvent event : events) {
              EventCodec.instance().decode(EventCodec.instance().encode(event));
            }
          }
        },
        IOException.class);
  }

  @Example
  @Label(
      "Found by fuzzing: a receiver name that is no URI segment and a label that is no valid"
          + " Unicode give a valid event or a problem, never an event consumers cannot read")
  void eventsAreValid() throws Exception {
    List<String> problems = new ArrayList<>();
    List<CloudEvent> events =
        AlertmanagerWebhook.events(
            EventCodec.MAPPER.readTree(
                SAMPLE.replace("\"receiver\": \"valentia\"", "\"receiver\": \"team %a/b c\"")),
            problems);
    assertThat(problems).isEmpty();
    assertThat(events).hasSize(2);
    assertThat(events.get(0).source()).isEqualTo("/alertmanager/team%20%25a%2Fb%20c");
    events.forEach(e -> EventCodec.instance().decode(EventCodec.instance().encode(e)));

    problems.clear();
    events =
        AlertmanagerWebhook.events(
            EventCodec.MAPPER.readTree(
                SAMPLE.replace(
                    "\"job\": \"ceph\", \"instance\"", "\"job\ud800\": \"ceph\", \"instance\"")),
            problems);
    assertThat(problems).singleElement().asString().startsWith("alerts[0]: not a valid event");
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(seed -> Mutator.mutateJson(SAMPLE, new Random(seed), TOKENS)),
        Arbitraries.longs().map(seed -> Mutator.mutate(SAMPLE, new Random(seed), TOKENS)),
        Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.longs())
            .as((depth, seed) -> Mutator.randomJson(new Random(seed), depth, TOKENS).toString()));
  }
}
