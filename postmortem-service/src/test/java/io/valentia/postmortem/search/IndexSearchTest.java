package io.valentia.postmortem.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.testing.SampleEvents;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventDocuments;
import io.valentia.postmortem.index.EventIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IndexSearchTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:00:00Z");
  private static Path dir;
  private static EventIndex index;
  private static IndexSearch search;

  /**
   * A night of a small cluster: every 10 s an MTU ping per OSD pair of 8 hosts, a dropped-frame
   * burst every minute on two headsets, and 12 MTU mismatches from osd-12 between 04:30 and 04:42.
   */
  @BeforeAll
  static void indexCorpus() throws Exception {
    dir = Files.createTempDirectory("valentia-search-test");
    index = EventIndex.open(dir, new EventAnalyzer());
    EventCodec codec = EventCodec.instance();
    List<CloudEvent> events = new ArrayList<>();
    for (int s = 0; s < 3600; s += 10) {
      for (int h = 0; h < 8; h++) {
        events.add(
            CloudEvent.of(SampleEvents.payload(EventType.PROBE_MTU_PING))
                .source("/probes/mtu/osd-" + (10 + h))
                .subject("osd-" + (10 + h) + "->osd-" + (10 + (h + 1) % 8))
                .time(T0.plusSeconds(s))
                .build());
      }
      if (s % 60 == 0) {
        for (String hmd : List.of("hmd-1", "hmd-2")) {
          events.add(
              CloudEvent.of(new FrameDropped(90, 4, s * 90L, s * 90L + 3, 9_000, "loop"))
                  .source("/probes/frames/" + hmd)
                  .subject(hmd)
                  .time(T0.plusSeconds(s))
                  .build());
        }
      }
    }
    for (int m = 0; m < 12; m++) {
      events.add(
          CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
              .source("/probes/mtu/osd-12")
              .subject("osd-12->osd-7")
              .severity(Severity.CRITICAL)
              .time(T0.plusSeconds(1800 + m * 60))
              .build());
    }
    for (CloudEvent event : events) {
      byte[] raw = codec.encode(event);
      index.upsert(EventDocuments.idTerm(event.id()), EventDocuments.toDocument(event, raw, T0));
    }
    index.commit(Map.of(new TopicPartition("valentia.events", 0), (long) events.size()));
    index.refresh();
    search = IndexSearch.events(index);
  }

  @AfterAll
  static void close() throws Exception {
    index.close();
    io.valentia.eventbus.testing.KafkaTestSupport.deleteRecursively(dir);
  }

  @Test
  @DisplayName("A bare event id finds that event, alone or beside words, as does id:ID")
  void bareIdFindsItsEvent() {
    SearchRequest mismatches = SearchRequest.of("type:io.valentia.probe.mtu.mismatch.v1");
    SearchPage.Hit hit = search.search(mismatches).hits().get(3);

    assertThat(search.search(SearchRequest.of(hit.id())).hits())
        .extracting(SearchPage.Hit::id)
        .containsExactly(hit.id());
    assertThat(search.search(SearchRequest.of("osd-12 " + hit.id())).hits())
        .extracting(SearchPage.Hit::id)
        .containsExactly(hit.id());
    assertThat(search.search(SearchRequest.of("id:\"" + hit.id() + "\"")).hits())
        .extracting(SearchPage.Hit::id)
        .containsExactly(hit.id());
    assertThat(search.search(SearchRequest.of(hit.id().substring(0, 8))).total())
        .as("the id is not text: a piece of it matches nothing")
        .isZero();
  }

  @Test
  @DisplayName("A fielded query finds exactly the events of that type, newest first")
  void fieldedQuery() {
    SearchPage page = search.search(SearchRequest.of("type:io.valentia.probe.mtu.mismatch.v1"));

    assertThat(page.total()).isEqualTo(12);
    assertThat(page.hits()).hasSize(12);
    assertThat(page.hits().get(0).time()).isEqualTo(T0.plusSeconds(1800 + 11 * 60));
    assertThat(page.hits()).isSortedAccordingTo((a, b) -> b.time().compareTo(a.time()));
    assertThat(page.hits().get(0).source().path("data").path("estimatedPathMtu").asInt())
        .isEqualTo(1500);
  }

  @Test
  @DisplayName("Facets count every match by type, severity, host and service")
  void facetCounts() {
    SearchPage page = search.search(SearchRequest.of("host:osd-12"));

    assertThat(page.total()).isEqualTo(360 + 12);
    assertThat(page.facets().get("type"))
        .containsExactlyInAnyOrder(
            new SearchPage.FacetCount("io.valentia.probe.mtu.ping.v1", 360),
            new SearchPage.FacetCount("io.valentia.probe.mtu.mismatch.v1", 12));
    assertThat(page.facets().get("severity")).contains(new SearchPage.FacetCount("critical", 12));
    assertThat(page.facets().get("service"))
        .containsExactly(new SearchPage.FacetCount("probes", 372));
  }

  @Test
  @DisplayName("A 15-minute window with a query counts only the events inside the window")
  void timeRange() {
    SearchPage page =
        search.search(
            new SearchRequest(
                "type:io.valentia.probe.mtu.mismatch.v1",
                T0.plusSeconds(1800),
                T0.plusSeconds(1800 + 5 * 60),
                null,
                20,
                SearchRequest.Order.OLDEST,
                null));

    assertThat(page.total()).isEqualTo(5);
    assertThat(page.hits().get(0).time()).isEqualTo(T0.plusSeconds(1800));
  }

  @Test
  @DisplayName("Cursor pagination walks every match once, without overlap or gaps")
  void pagination() {
    SearchRequest request =
        new SearchRequest("subject:hmd-1", null, null, List.of(), 7, null, null);
    List<String> seen = new ArrayList<>();
    int pages = 0;
    while (request != null) {
      SearchPage page = search.search(request);
      page.hits().forEach(h -> seen.add(h.id()));
      pages++;
      request = page.nextCursor() == null ? null : request.after(page.nextCursor());
    }
    Set<String> unique = new HashSet<>(seen);
    assertThat(seen).hasSize(60);
    assertThat(unique).hasSize(60);
    assertThat(pages).isEqualTo(9);
  }

  @Test
  @DisplayName("Full-text matches come back with the matched words highlighted")
  void highlights() {
    SearchPage page =
        search.search(
            new SearchRequest(
                "loop AND hmd", null, null, List.of(), 3, SearchRequest.Order.RELEVANCE, null));

    assertThat(page.total()).isEqualTo(120);
    assertThat(page.hits()).allSatisfy(h -> assertThat(h.snippet()).contains("<b>loop</b>"));
  }

  @Test
  @DisplayName("A query that does not parse is a bad query with the parser's reason, not a crash")
  void badQuery() {
    assertThatThrownBy(() -> search.search(SearchRequest.of("type:(unclosed")))
        .isInstanceOf(BadQueryException.class)
        .hasMessageContaining("does not parse");
    assertThatThrownBy(() -> search.search(SearchRequest.of("x").after("not-a-cursor")))
        .isInstanceOf(BadQueryException.class);
    assertThatThrownBy(
            () ->
                search.search(new SearchRequest("x", null, null, List.of("colour"), 5, null, null)))
        .isInstanceOf(BadQueryException.class)
        .hasMessageContaining("unknown facet");
  }
}
