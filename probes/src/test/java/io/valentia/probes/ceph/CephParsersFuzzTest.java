package io.valentia.probes.ceph;

import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
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
 * Fuzzing what the Ceph probe reads: {@code ceph health detail} (text and JSON) and {@code
 * dump_osd_network} JSON, mutated from the fixtures or random. Each is read or refused with a
 * {@link CephFormatException}, within the per-input limit. A short run; {@code ParserFuzzBenchmark}
 * in the bench module runs a million inputs of each.
 */
class CephParsersFuzzTest {
  static final List<String> HEALTH_SAMPLES =
      List.of(
          CephFixtures.text("health_detail.txt"),
          CephFixtures.text("health_detail_before_nautilus.txt"),
          CephFixtures.text("health_detail_scrub_errors.txt"),
          CephFixtures.text("health_ok.txt"),
          CephFixtures.text("health_detail.json"));
  static final List<String> NETWORK_SAMPLES =
      List.of(
          CephFixtures.text("dump_osd_network.json"),
          CephFixtures.text("dump_osd_network_slow.json"));
  static final List<String> TOKENS = tokens();

  private final HealthDetailParser health = new HealthDetailParser();
  private final OsdNetworkParser network = new OsdNetworkParser();

  @Property(tries = 400)
  @Label("ceph health detail, text or JSON, mutated or random, is read or refused")
  void healthDetail(@ForAll("health") String text) {
    Fuzzing.check(text, health::parse, CephFormatException.class);
  }

  @Property(tries = 400)
  @Label("dump_osd_network JSON, mutated or random, is read or refused")
  void osdNetwork(@ForAll("network") String text) {
    Fuzzing.check(text, t -> network.parse(t, 1000), CephFormatException.class);
  }

  @Provide
  Arbitrary<String> health() {
    return inputs(HEALTH_SAMPLES);
  }

  @Provide
  Arbitrary<String> network() {
    return inputs(NETWORK_SAMPLES);
  }

  private static Arbitrary<String> inputs(List<String> samples) {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(samples), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Combinators.combine(Arbitraries.of(samples), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutateJson(sample, new Random(seed), TOKENS)),
        Arbitraries.longs().map(seed -> Mutator.randomJson(new Random(seed), 4, TOKENS).toString()),
        Arbitraries.longs()
            .map(seed -> Mutator.randomText(new Random(seed), "[]():.,_ \n", TOKENS, 400)));
  }

  private static List<String> tokens() {
    List<String> out =
        new ArrayList<>(
            List.of(
                "HEALTH_OK",
                "HEALTH_WARN",
                "HEALTH_ERR",
                "[WRN] ",
                "[ERR] ",
                "\n    ",
                "OSD_SLOW_PING_TIME_BACK",
                "osd.",
                " (down)",
                " msec",
                "ms)",
                "from osd.",
                " to osd."));
    HEALTH_SAMPLES.forEach(s -> out.addAll(Mutator.tokensOf(s)));
    NETWORK_SAMPLES.forEach(s -> out.addAll(Mutator.tokensOf(s)));
    return List.copyOf(out);
  }
}
