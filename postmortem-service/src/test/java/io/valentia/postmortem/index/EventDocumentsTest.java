package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.MtuMismatch;
import java.time.Instant;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexableField;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventDocumentsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T04:30:00Z");

  private static CloudEvent mismatch() {
    return CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
        .source("/probes/mtu/osd-12")
        .subject("osd-12->osd-7")
        .severity(Severity.CRITICAL)
        .experimentId("exp-42")
        .time(T0)
        .build();
  }

  @Test
  @DisplayName("An event's document stores the event as read and nothing else")
  void storesOnlyTheEvent() {
    CloudEvent event = mismatch();
    byte[] raw = EventCodec.instance().encode(event);

    Document doc = EventDocuments.toDocument(event, raw, T0);

    assertThat(doc.getFields())
        .filteredOn(f -> f.fieldType().stored())
        .extracting(IndexableField::name)
        .containsExactly(EventDocuments.EVENT);
    assertThat(doc.getBinaryValue(EventDocuments.EVENT).bytes).isEqualTo(raw);
  }

  @Test
  @DisplayName("Facet values are not indexed a second time as drill-down terms")
  void noDrillDownTerms() {
    Document doc = EventDocuments.toDocument(mismatch(), new byte[0], T0);

    assertThat(doc.getFields())
        .filteredOn(f -> f.fieldType().indexOptions() != org.apache.lucene.index.IndexOptions.NONE)
        .extracting(IndexableField::name)
        .doesNotContain("$facets")
        .contains("type", "severity", "subject", "source", "host", "service");
  }

  @Test
  @DisplayName(
      "The searchable text rebuilt for highlighting holds every keyword but the id and every"
          + " payload value, once")
  void searchableText() {
    CloudEvent event = mismatch();

    String text = EventDocuments.searchableText(event);

    assertThat(text.split("\n"))
        .containsExactly(
            "io.valentia.probe.mtu.mismatch.v1",
            "critical",
            "osd-12->osd-7",
            "/probes/mtu/osd-12",
            "osd-12",
            "probes",
            "exp-42",
            "10.0.0.7:7",
            "1472",
            "1473",
            "1500",
            "out");
    assertThat(EventDocuments.searchableText(event)).isEqualTo(text);
  }
}
