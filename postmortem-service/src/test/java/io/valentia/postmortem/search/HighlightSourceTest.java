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
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HighlightSourceTest {
  private static final Instant T0 = Instant.parse("2026-11-29T05:00:00Z");

  @Test
  @DisplayName(
      "Snippets are the same whether a document stores its text (older indexes) or the text is"
          + " rebuilt from the stored event")
  void sameSnippetsFromStoredAndRebuiltText() throws Exception {
    Path dir = Files.createTempDirectory("valentia-highlight-test");
    try (EventIndex index = EventIndex.open(dir, new EventAnalyzer())) {
      CloudEvent lean = frameDrop("hmd-lean", 0);
      CloudEvent stored = frameDrop("hmd-stored", 1);
      EventCodec codec = EventCodec.instance();
      index.upsert(
          EventDocuments.idTerm(lean.id()),
          EventDocuments.toDocument(lean, codec.encode(lean), T0));
      index.upsert(
          EventDocuments.idTerm(stored.id()), withStoredText(stored, codec.encode(stored)));
      index.refresh();

      SearchPage page =
          IndexSearch.events(index)
              .search(
                  new SearchRequest(
                      "loop AND render",
                      null,
                      null,
                      List.of(),
                      10,
                      SearchRequest.Order.OLDEST,
                      null));

      assertThat(page.hits())
          .extracting(SearchPage.Hit::id)
          .containsExactly(lean.id(), stored.id());
      assertThat(page.hits().get(0).snippet())
          .contains("<b>loop</b>", "<b>render</b>")
          .isEqualTo(page.hits().get(1).snippet().replace("hmd-stored", "hmd-lean"));
    } finally {
      KafkaTestSupport.deleteRecursively(dir);
    }
  }

  private static CloudEvent frameDrop(String hmd, int second) {
    return CloudEvent.of(new FrameDropped(90, 3, 100, 103, 9_000, "render loop"))
        .id("id-" + hmd)
        .source("/probes/frames/" + hmd)
        .subject(hmd)
        .time(T0.plusSeconds(second))
        .build();
  }

  /** The document as the index wrote it before it stopped storing the text. */
  private static Document withStoredText(CloudEvent event, byte[] raw) {
    Document doc = new Document();
    long millis = event.time().toEpochMilli();
    doc.add(new StringField(EventDocuments.ID, event.id(), Field.Store.NO));
    doc.add(new SortedDocValuesField(EventDocuments.ID, new BytesRef(event.id())));
    doc.add(new StringField("subject", event.subject(), Field.Store.NO));
    doc.add(new LongPoint(EventDocuments.TIME, millis));
    doc.add(new NumericDocValuesField(EventDocuments.TIME, millis));
    doc.add(
        new TextField(EventDocuments.TEXT, EventDocuments.searchableText(event), Field.Store.YES));
    doc.add(new StoredField(EventDocuments.EVENT, new BytesRef(raw)));
    return doc;
  }
}
