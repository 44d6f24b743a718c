package io.valentia.postmortem.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BlamelessReviewTest {
  private final BlamelessReview review = new BlamelessReview();

  static String resource(String name) throws IOException {
    try (InputStream in = BlamelessReviewTest.class.getResourceAsStream("/postmortems/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  @DisplayName("Blaming wording is flagged with the rule, the words, why and a neutral rewording")
  void flagsBlamingWording() throws IOException {
    List<BlamelessReview.Problem> problems =
        review.review(MarkdownPostmortem.parse(resource("blaming.md")));

    assertThat(problems)
        .extracting(BlamelessReview.Problem::rule, BlamelessReview.Problem::where)
        .contains(
            org.assertj.core.groups.Tuple.tuple("human-error", "summary"),
            org.assertj.core.groups.Tuple.tuple("hindsight", "summary"),
            org.assertj.core.groups.Tuple.tuple("character", "contributingFactors[1]"),
            org.assertj.core.groups.Tuple.tuple("failed-to", "wentWrong[0]"),
            org.assertj.core.groups.Tuple.tuple("named-cause", "findings[0]"),
            org.assertj.core.groups.Tuple.tuple("no-evidence", "findings[1]"));
    assertThat(problems)
        .allSatisfy(
            p -> {
              assertThat(p.why()).isNotBlank();
              assertThat(p.suggestion()).isNotBlank();
            });
  }

  @Test
  @DisplayName(
      "A testimony or finding sent without evidence or role (as the API takes them) is reviewed,"
          + " not a failure")
  void reviewsPartsWrittenWithoutEvidence() throws Exception {
    Postmortem.Testimony testimony =
        io.valentia.eventbus.EventCodec.MAPPER.readValue(
            "{\"who\":\"Ada\",\"statement\":\"It was human error.\"}", Postmortem.Testimony.class);
    Postmortem.Finding finding =
        io.valentia.eventbus.EventCodec.MAPPER.readValue(
            "{\"text\":\"The switch dropped jumbo frames.\"}", Postmortem.Finding.class);
    Postmortem postmortem =
        new Postmortem(
            "t",
            "draft",
            "",
            "",
            List.of(),
            "",
            "",
            "",
            "",
            "",
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(testimony),
            List.of(finding),
            List.of(),
            List.of());

    assertThat(testimony.evidence()).isEmpty();
    assertThat(testimony.role()).isEmpty();
    assertThat(review.review(postmortem))
        .extracting(BlamelessReview.Problem::rule, BlamelessReview.Problem::where)
        .contains(
            org.assertj.core.groups.Tuple.tuple("human-error", "testimonies[0]"),
            org.assertj.core.groups.Tuple.tuple("no-evidence", "findings[0]"));
  }

  @Test
  @DisplayName("A testimony that mentions a time the evidence timeline does not show is flagged")
  void flagsTestimonyAgainstTimeline() throws IOException {
    List<BlamelessReview.Problem> problems =
        review.review(MarkdownPostmortem.parse(resource("blaming.md")));

    assertThat(problems)
        .filteredOn(p -> p.rule().equals("contradicts-evidence"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.where()).isEqualTo("testimonies[0]");
              assertThat(p.text()).contains("04:25");
            });
  }

  @Test
  @DisplayName("A postmortem written in neutral language with cited evidence passes the review")
  void cleanPostmortemPasses() throws IOException {
    assertThat(review.review(MarkdownPostmortem.parse(resource("clean.md")))).isEmpty();
  }

  @Test
  @DisplayName("Each blaming phrase of the issue is caught in a plain sentence")
  void catchesEachPhrase() {
    for (String sentence :
        List.of(
            "It was human error.",
            "It was Bob's fault.",
            "The operator should have waited.",
            "A careless restart.",
            "The on-call failed to page.")) {
      assertThat(review.review(summary(sentence))).as(sentence).isNotEmpty();
    }
  }

  @Test
  @DisplayName(
      "A person's name or pronoun with a blaming verb or noun is flagged as blaming a person")
  void flagsBlameOnAPerson() {
    for (String sentence :
        List.of(
            "Dave forgot to update the switch.",
            "It was his fault.",
            "That was her mistake.",
            "She failed to check the MTU.",
            "Dave Smith should have waited for the rollout.",
            "He was careless with the change.",
            "Ana was negligent.",
            "Dave's mistake took the rack down.",
            "They forgot the switch.")) {
      assertThat(review.review(summary(sentence)))
          .as(sentence)
          .extracting(BlamelessReview.Problem::rule)
          .contains("person-blame");
    }
  }

  @Test
  @DisplayName(
      "Neutral sentences about what people and systems did are not flagged as blaming a person")
  void leavesNeutralSentences() {
    for (String sentence :
        List.of(
            "The network team set MTU 9216 on the new switch.",
            "Dave rolled the change back at 04:40.",
            "She paged the storage on-call, who confirmed the MTU mismatch.",
            "The deploy tool applied the change to every host at once.",
            "Ceph marked the OSDs down after 20 s without heartbeats.",
            "The runbook did not list the switch, so the change skipped it.",
            "After the rollback the error rate fell to zero.",
            "His pager did not ring because the alert was muted.")) {
      assertThat(review.review(summary(sentence))).as(sentence).isEmpty();
    }
  }

  private static Postmortem summary(String sentence) {
    return new Postmortem(
        "t", null, null, null, null, sentence, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null);
  }
}
