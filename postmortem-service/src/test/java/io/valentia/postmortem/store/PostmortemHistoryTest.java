package io.valentia.postmortem.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.documents.Postmortem.TimelineEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Postmortem revisions folded from the log")
class PostmortemHistoryTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:00:00Z");
  private final Map<String, PostmortemHead> heads = new HashMap<>();
  private final Map<String, Postmortem> documents = new HashMap<>();
  private final Map<String, PostmortemRevision> revisions = new HashMap<>();
  private final List<PostmortemHead> indexed = new ArrayList<>();
  private final PostmortemStore store =
      new PostmortemStore(id -> Optional.ofNullable(heads.get(id)));

  /** Folds {@code event} as the reader of the log does; true when the log takes it. */
  private boolean apply(CloudEvent event) {
    PostmortemFold.Outcome outcome =
        PostmortemFold.decide(
            event,
            id -> Optional.ofNullable(heads.get(id)),
            (id, n) -> Optional.ofNullable(revisions.get(id + "@" + n)).map(r -> r.eventId()));
    if (outcome instanceof PostmortemFold.Applied applied) {
      heads.put(applied.head().id(), applied.head());
      String key = applied.head().id() + "@" + applied.revision().revision();
      documents.put(key, applied.head().document());
      revisions.put(key, applied.revision());
      indexed.add(applied.head());
    }
    store.settle(event.id(), outcome);
    return outcome instanceof PostmortemFold.Applied;
  }

  private Postmortem at(String id, int revision) {
    return documents.get(id + "@" + revision);
  }

  private static JsonNode json(String text) throws Exception {
    return EventCodec.MAPPER.readTree(text);
  }

  private CloudEvent applied(CloudEvent event) {
    // the event goes through the codec as it would through Kafka
    CloudEvent read = EventCodec.instance().decode(EventCodec.instance().encode(event));
    assertThat(apply(read)).isTrue();
    return read;
  }

  @Test
  @DisplayName(
      "Revision N is the fold of revisions 1 to N, each revision carries only what it changed, and a repeat of an applied event changes nothing")
  void foldsRevisions() throws Exception {
    Postmortem first =
        PostmortemSections.merge(
            PostmortemSections.EMPTY, json("{\"title\": \"Jumbo frames\", \"summary\": \"a\"}"));
    CloudEvent created = applied(store.create("pm-1", first, "dana", "created", null, T0));
    applied(store.revise("pm-1", 1, json("{\"summary\": \"b\"}"), "erin", null, T0).orElseThrow());
    applied(
        store.revise("pm-1", 2, json("{\"status\": \"final\"}"), "erin", "done", T0).orElseThrow());

    PostmortemHead h = store.get("pm-1").orElseThrow();
    assertThat(h.revision()).isEqualTo(3);
    assertThat(at("pm-1", 1).summary()).isEqualTo("a");
    assertThat(at("pm-1", 2).summary()).isEqualTo("b");
    assertThat(at("pm-1", 2).title()).isEqualTo("Jumbo frames");
    assertThat(h.document().status()).isEqualTo("final");
    assertThat(h.authors()).containsExactly("dana", "erin");
    assertThat(revisions.get("pm-1@2").sections()).containsExactly("summary");
    assertThat(revisions.get("pm-1@3").action()).isEqualTo("status-changed");
    var repeat = store.whenApplied(created.id());
    assertThat(apply(created)).isFalse();
    assertThat(repeat).as("a repeat answers its writer with the head").isCompleted();
    assertThat(store.get("pm-1").orElseThrow().revision()).isEqualTo(3);
    assertThat(indexed).hasSize(3);
    assertThat(store.revise("pm-1", 3, json("{\"summary\": \"b\"}"), "x", null, T0)).isEmpty();
  }

  @Test
  @DisplayName(
      "Two revisions based on the same revision: the log takes the first, rejects the second, and a writer that is behind gets a conflict")
  void logDecidesConflicts() throws Exception {
    applied(store.create("pm-2", PostmortemSections.EMPTY, "dana", "created", null, T0));
    CloudEvent a =
        store.revise("pm-2", 1, json("{\"impact\": \"a\"}"), "a", null, T0).orElseThrow();
    CloudEvent b =
        store.revise("pm-2", 1, json("{\"impact\": \"b\"}"), "b", null, T0).orElseThrow();
    var bApplied = store.whenApplied(b.id());
    assertThat(apply(a)).isTrue();
    assertThat(apply(b)).isFalse();
    assertThat(bApplied).isCompletedExceptionally();
    assertThat(store.get("pm-2").orElseThrow().document().impact()).isEqualTo("a");
    assertThatThrownBy(() -> store.revise("pm-2", 1, json("{\"impact\": \"c\"}"), "c", null, T0))
        .isInstanceOf(RevisionConflictException.class)
        .hasMessageContaining("revision 2");
  }

  @Test
  @DisplayName(
      "An edited timeline entry drafted from evidence keeps its time and records who changed its text; a new annotation gets an id and its author")
  void timelineEdits() {
    List<TimelineEntry> drafted =
        TimelineMerge.merge(
            List.of(),
            List.of(new TimelineEntry("2026-11-29T04:00:00Z", "probe.mtu.mismatch", List.of("e1"))),
            "dana",
            T0);
    assertThat(drafted.get(0).id()).isEqualTo("t1");

    List<TimelineEntry> edited =
        TimelineMerge.merge(
            drafted,
            List.of(
                new TimelineEntry("1999-01-01T00:00:00Z", "MTU mismatch found", List.of("e1")),
                new TimelineEntry("04:05", "Switch port reconfigured", List.of())),
            "erin",
            T0.plusSeconds(60));

    assertThat(edited.get(0).id()).isEqualTo("t1");
    assertThat(edited.get(0).time()).isEqualTo("2026-11-29T04:00:00Z");
    assertThat(edited.get(0).text()).isEqualTo("MTU mismatch found");
    assertThat(edited.get(0).edits())
        .containsExactly(
            new Postmortem.TimelineEdit(
                "erin", "2026-11-29T04:01:00Z", "probe.mtu.mismatch", "MTU mismatch found"));
    assertThat(edited.get(1).id()).isEqualTo("t2");
    assertThat(edited.get(1).addedBy()).isEqualTo("erin");
  }

  @Test
  @DisplayName("A change that does not fit the document lists every problem at once")
  void badPatchListsEveryProblem() throws Exception {
    assertThatThrownBy(
            () ->
                PostmortemSections.merge(
                    PostmortemSections.EMPTY,
                    json(
                        "{\"sumary\": \"x\", \"findings\": \"x\", \"title\": [], \"status\": \"x\"}")))
        .isInstanceOfSatisfying(
            InvalidPostmortemException.class, e -> assertThat(e.problems()).hasSize(4));
  }
}
