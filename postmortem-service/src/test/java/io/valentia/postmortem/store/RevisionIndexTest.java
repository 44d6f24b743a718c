package io.valentia.postmortem.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.SectionChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The revision index keeps every revision on disk")
class RevisionIndexTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:00:00Z");
  private Path dir;

  @BeforeEach
  void createDir() throws Exception {
    dir = Files.createTempDirectory("valentia-revision-index");
  }

  @AfterEach
  void deleteDir() throws Exception {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static PostmortemRevision revision(int n) {
    return new PostmortemRevision(
        "pm-long",
        n,
        "author-" + n % 5,
        T0.plusSeconds(n),
        n == 1 ? "created" : "revised",
        "draft",
        List.of(
            new SectionChange(
                "summary", EventCodec.MAPPER.getNodeFactory().textNode("summary " + n))),
        null,
        "event-" + n);
  }

  @Test
  @DisplayName(
      "12,000 revisions of one postmortem survive a reopen with their offsets: listed in order"
          + " across pages, from any number on, and each document read back as it was")
  void manyRevisionsFromDisk() throws Exception {
    int count = 12_000;
    TopicPartition partition = new TopicPartition(Topics.POSTMORTEMS, 0);
    try (RevisionIndex index = RevisionIndex.open(dir)) {
      PostmortemHead head = null;
      for (int n = 1; n <= count; n++) {
        head = head == null ? PostmortemHead.first(revision(n)) : head.next(revision(n));
        index.write(head, revision(n));
      }
      index.commit(Map.of(partition, 4242L));
    }

    try (RevisionIndex reopened = RevisionIndex.open(dir)) {
      assertThat(reopened.committedOffsets()).containsEntry(partition, 4242L);
      PostmortemHead head = reopened.head("pm-long").orElseThrow();
      assertThat(head.revision()).isEqualTo(count);
      assertThat(head.authors()).hasSize(5);
      assertThat(head.eventId()).isEqualTo("event-" + count);

      List<RevisionEntry> all = reopened.entries("pm-long", 1, Integer.MAX_VALUE);
      assertThat(all).hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(all.get(i).revision()).isEqualTo(i + 1);
      }
      assertThat(all.get(0).action()).isEqualTo("created");
      assertThat(all.get(41).sections()).containsExactly("summary");
      assertThat(reopened.entries("pm-long", 11_998, 10))
          .extracting(RevisionEntry::revision)
          .containsExactly(11_998, 11_999, 12_000);
      assertThat(reopened.document("pm-long", 7_777).orElseThrow().summary())
          .isEqualTo("summary 7777");
      assertThat(reopened.document("pm-long", count + 1)).isEmpty();
      assertThat(reopened.entries("pm-other", 1, Integer.MAX_VALUE)).isEmpty();
    }
  }
}
