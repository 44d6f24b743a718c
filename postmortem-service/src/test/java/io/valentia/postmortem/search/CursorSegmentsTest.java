package io.valentia.postmortem.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventDocuments;
import io.valentia.postmortem.index.EventIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CursorSegmentsTest {
  @Test
  @DisplayName(
      "Cursor pages never repeat a hit when the matches lie in several near-real-time segments")
  void pagesAcrossSegments() throws Exception {
    Path dir = Files.createTempDirectory("valentia-cursor-test");
    try (EventIndex index = EventIndex.open(dir, new EventAnalyzer())) {
      Instant t0 = Instant.parse("2026-11-29T06:31:25Z");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        CloudEvent event =
            CloudEvent.of(new FrameDropped(90, 2 + i, i, i + 1, 12_000, "loop"))
                .source("/probes/frames/hmd-x")
                .subject("hmd-x")
                .time(t0.plusSeconds(i))
                .build();
        index.upsert(
            EventDocuments.idTerm(event.id()),
            EventDocuments.toDocument(event, EventCodec.instance().encode(event), t0));
        index.refresh();
        ids.add(event.id());
      }
      IndexSearch search = IndexSearch.events(index);
      SearchRequest first = new SearchRequest("subject:hmd-x", null, null, null, 2, null, null);
      SearchPage one = search.search(first);
      SearchPage two = search.search(first.after(one.nextCursor()));
      List<String> seen = new ArrayList<>();
      one.hits().forEach(h -> seen.add(h.id()));
      two.hits().forEach(h -> seen.add(h.id()));
      assertThat(seen).containsExactly(ids.get(2), ids.get(1), ids.get(0));
    } finally {
      KafkaTestSupport.deleteRecursively(dir);
    }
  }
}
