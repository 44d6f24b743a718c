package io.valentia.postmortem.documents;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import io.valentia.postmortem.store.InvalidPostmortemException;
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
 * Fuzzing the postmortem import: Markdown mutated from real postmortems (the SRE book's, ours) or
 * random is read into a document, or refused with an {@link InvalidPostmortemException}, within the
 * per-input limit; what is read can be exported again. A short run; {@code ParserFuzzBenchmark} in
 * the bench module runs a million inputs.
 */
class MarkdownFuzzTest {
  static final List<String> SAMPLES =
      List.of(
          Fuzzing.resource(MarkdownFuzzTest.class, "/postmortems/sre-book.md"),
          Fuzzing.resource(MarkdownFuzzTest.class, "/postmortems/clean.md"),
          Fuzzing.resource(MarkdownFuzzTest.class, "/postmortems/blaming.md"));
  static final List<String> TOKENS =
      List.of(
          "\n# ",
          "\n## ",
          "\n### ",
          "\n- ",
          "\n1. ",
          "\n> ",
          "\n    ",
          "\n```\n",
          "| a | b |\n|---|---|\n",
          "| ",
          " |",
          "**",
          "__",
          "[evidence: ",
          "]",
          "](",
          "<",
          "Status: ",
          "Date: ",
          "**Date:** ",
          "## Timeline",
          "## Action Items",
          "## Testimonies",
          "### ",
          ", given ",
          "Evidence: ",
          "2015-10-21T14:51:00Z",
          "14:51",
          " - ",
          " – ",
          "\n\n",
          "\\",
          "&amp;",
          "&#0;");

  @Property(tries = 300)
  @Label("Markdown, mutated from a real postmortem or random, is imported or refused")
  void markdown(@ForAll("markdown") String markdown) {
    Fuzzing.check(
        markdown,
        md -> MarkdownPostmortem.render(MarkdownPostmortem.parse(md)),
        InvalidPostmortemException.class);
  }

  @Example
  @Label(
      "Found by fuzzing: a paragraph of many unclosed [evidence: citations is read in linear time"
          + " (it took minutes at 50 KB)")
  void unclosedCitations() {
    String markdown = "# T\n\n## Findings\n\n" + "[evidence: x".repeat(5000) + "\n";
    Fuzzing.check(markdown, MarkdownPostmortem::parse);
    Postmortem cited =
        MarkdownPostmortem.parse(
            "# T\n\n## Findings\n\n- It broke [evidence: a, b] [evidence:c]\n");
    assertThat(cited.findings().get(0).evidence()).containsExactly("a", "b", "c");
  }

  @Example
  @Label(
      "Found by fuzzing: a testimony heading with a long run of spaces is read at once (it took"
          + " 15 s at 2,000 spaces)")
  void longTestimonyHeading() {
    String markdown = "# T\n\n## Testimonies\n\n### a" + " ".repeat(20_000) + "b\n\ntext\n";
    Fuzzing.check(markdown, MarkdownPostmortem::parse);
    Postmortem short_ =
        MarkdownPostmortem.parse(
            "# T\n\n## Testimonies\n\n### Dana (SRE), given 10:00\n\nI saw it.\n");
    assertThat(short_.testimonies().get(0).who()).isEqualTo("Dana");
    assertThat(short_.testimonies().get(0).role()).isEqualTo("SRE");
    assertThat(short_.testimonies().get(0).given()).isEqualTo("10:00");
  }

  @Provide
  Arbitrary<String> markdown() {
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(SAMPLES), Arbitraries.longs())
            .as((sample, seed) -> Mutator.mutate(sample, new Random(seed), TOKENS)),
        Arbitraries.longs()
            .map(seed -> Mutator.randomText(new Random(seed), "#-*_>|`[]()!:\n ", TOKENS, 600)),
        Arbitraries.strings().ofMaxLength(200));
  }
}
