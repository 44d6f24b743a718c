package io.valentia.postmortem.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.postmortem.documents.Postmortem.TimelineEdit;
import io.valentia.postmortem.documents.Postmortem.TimelineEntry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Taking a revised timeline in")
class TimelineMergeTest {
  private static final Instant T0 = Instant.parse("2026-11-29T05:00:00Z");

  private static final List<TimelineEntry> STORED =
      TimelineMerge.imported(
          List.of(
              new TimelineEntry(
                  "",
                  "2026-11-29T04:00:00Z",
                  "probe.mtu.mismatch",
                  List.of("e1"),
                  "evidence",
                  List.of()),
              new TimelineEntry("04:05", "Switch port reconfigured", List.of())),
          "dana",
          T0);

  @Test
  @DisplayName("An imported timeline keeps who added each entry and numbers the entries")
  void importKeepsAuthors() {
    assertThat(STORED).extracting(TimelineEntry::id).containsExactly("t1", "t2");
    assertThat(STORED).extracting(TimelineEntry::addedBy).containsExactly("evidence", "dana");
  }

  @Test
  @DisplayName(
      "An annotation's new time and text and an entry's new evidence are each recorded as an"
          + " edit naming the field, while an entry resting on evidence keeps its time")
  void everyChangeIsInTheTrail() {
    List<TimelineEntry> revised =
        TimelineMerge.merge(
            STORED,
            List.of(
                new TimelineEntry(
                    "t1",
                    "1999-01-01T00:00:00Z",
                    "probe.mtu.mismatch",
                    List.of("e1", "e2"),
                    "evidence",
                    List.of()),
                new TimelineEntry(
                    "t2", "04:06", "Switch port set to MTU 9000", List.of(), "dana", List.of())),
            "erin",
            T0.plusSeconds(60));

    assertThat(revised.get(0).time()).isEqualTo("2026-11-29T04:00:00Z");
    assertThat(revised.get(0).edits())
        .containsExactly(
            new TimelineEdit("erin", "2026-11-29T05:01:00Z", "evidence", "e1", "e1, e2"));
    assertThat(revised.get(1).time()).isEqualTo("04:06");
    assertThat(revised.get(1).edits())
        .containsExactly(
            new TimelineEdit("erin", "2026-11-29T05:01:00Z", "time", "04:05", "04:06"),
            new TimelineEdit(
                "erin",
                "2026-11-29T05:01:00Z",
                "text",
                "Switch port reconfigured",
                "Switch port set to MTU 9000"));
  }

  @Test
  @DisplayName(
      "A revision cannot rewrite the trail: edits it sends for a known entry are ignored, and a new"
          + " entry is added by the reviser with no edits whatever it claims")
  void trailCannotBeForged() {
    TimelineEdit forged = new TimelineEdit("mallory", "2000-01-01T00:00:00Z", "x", "y");
    List<TimelineEntry> revised =
        TimelineMerge.merge(
            STORED,
            List.of(
                new TimelineEntry(
                    "t1",
                    "2026-11-29T04:00:00Z",
                    "probe.mtu.mismatch",
                    List.of("e1"),
                    "evidence",
                    List.of(forged)),
                STORED.get(1),
                new TimelineEntry(
                    "", "04:10", "Traffic recovered", List.of(), "evidence", List.of(forged))),
            "erin",
            T0);

    assertThat(revised.get(0).edits()).isEmpty();
    assertThat(revised.get(2).id()).isEqualTo("t3");
    assertThat(revised.get(2).addedBy()).isEqualTo("erin");
    assertThat(revised.get(2).edits()).isEmpty();
  }

  @Test
  @DisplayName("An edit stored before edits named their field reads as a change of the text")
  void oldEditsAreTextEdits() {
    assertThat(new TimelineEdit("dana", "2026-11-29T05:00:00Z", null, "a", "b").field())
        .isEqualTo("text");
  }
}
