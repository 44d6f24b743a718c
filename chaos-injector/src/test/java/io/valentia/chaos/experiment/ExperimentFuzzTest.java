package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the Chaos Toolkit experiment loader with JSON and YAML mutated from the fixtures and
 * random documents: loading gives an experiment or problems, never an exception; resolving a valid
 * one gives an experiment or an {@link InvalidExperimentException}; each within the per-input
 * limit. A short run; {@code ParserFuzzBenchmark} in the bench module runs a million inputs.
 */
class ExperimentFuzzTest {
  static final List<String> JSON =
      List.of(Fuzzing.resource(ExperimentFuzzTest.class, "/experiments/tls-certificate.json"));
  static final List<String> YAML =
      List.of(
          Fuzzing.resource(ExperimentFuzzTest.class, "/experiments/every-feature.yaml"),
          Fuzzing.resource(ExperimentFuzzTest.class, "/experiments/broken.yaml"));
  static final List<String> TOKENS = tokens();

  private final ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());

  @Property(tries = 300)
  @Label("A JSON experiment, mutated or random, loads with an experiment or problems")
  void json(@ForAll("json") String text) {
    Fuzzing.check(text, t -> load(t, false), InvalidExperimentException.class);
  }

  @Property(tries = 300)
  @Label("A YAML experiment, mutated or random, loads with an experiment or problems")
  void yaml(@ForAll("yaml") String text) {
    Fuzzing.check(text, t -> load(t, true), InvalidExperimentException.class);
  }

  private void load(String text, boolean yaml) {
    ExperimentLoader.Loaded loaded = loader.parse(text, yaml);
    assertThat(loaded.valid()).isEqualTo(loaded.experiment() != null);
    if (loaded.valid()) {
      loader.resolve(loaded, Map.of(), "fuzz");
    }
  }

  @Provide
  Arbitrary<String> json() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(JSON), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutateJson(sample, new Random(seed), TOKENS)),
        Combinators.combine(Arbitraries.of(JSON), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Arbitraries.longs()
            .map(seed -> Mutator.randomJson(new Random(seed), 5, TOKENS).toString()));
  }

  @Provide
  Arbitrary<String> yaml() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(YAML), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Arbitraries.longs()
            .map(
                seed -> Mutator.randomText(new Random(seed), ":-[]{}&*!|>'\"# \n  ", TOKENS, 400)));
  }

  private static List<String> tokens() {
    List<String> out =
        new ArrayList<>(
            List.of(
                "\n- ",
                "\n  ",
                ": ",
                "type: ",
                "provider:",
                "tolerance: ",
                "${",
                "}",
                "&anchor ",
                "*anchor",
                "<<: ",
                "!!binary ",
                "---\n",
                "...\n",
                "? "));
    JSON.forEach(s -> out.addAll(Mutator.tokensOf(s)));
    return List.copyOf(out);
  }
}
