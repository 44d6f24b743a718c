package io.valentia.postmortem.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventHosts;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.facet.FacetsConfig;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetField;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;

/**
 * How an event becomes a Lucene document. Fields:
 *
 * <ul>
 *   <li>{@code id}, {@code type}, {@code severity}, {@code subject}, {@code source}, {@code host},
 *       {@code service}, {@code experimentid}, {@code incidentid}: exact keywords;
 *   <li>{@code data.PATH} (e.g. {@code data.peer}): every scalar of the payload, exact;
 *   <li>{@code text}: everything above but the id, plus the payload's values, analysed for
 *       full-text search (the default field; a bare id in a query matches {@code id} too); not
 *       stored: {@link #searchableText} rebuilds it from the stored event for highlighted snippets;
 *   <li>{@code time}: epoch milliseconds, for ranges and sorting;
 *   <li>{@code event}: the record value as it was read, returned by searches; the only stored field
 *       (stored fields are compressed in blocks).
 * </ul>
 *
 * Facets: {@link #FACETS}, counted from sorted-set doc values; they index no drill-down terms
 * (searches filter on the keyword fields of the same names). {@code host} is the host the event's
 * type defines ({@link EventHosts}: a probe's or lessor's host from the source, a fault's injector
 * host from its data; none for other events) and {@code service} is the first segment of the source
 * ({@code /probes/mtu/x} gives {@code probes}).
 *
 * <p>Documents are built on the indexing threads, so building one must stay cheap: every value is
 * added once, and only {@code id} and {@code time} carry doc values besides the facets.
 */
public final class EventDocuments {
  public static final String ID = "id";
  public static final String TIME = "time";
  public static final String TEXT = "text";
  public static final String EVENT = "event";
  public static final String DATA_PREFIX = "data.";

  /** Keyword fields, searched exactly. */
  public static final List<String> KEYWORDS =
      List.of(
          ID,
          "type",
          "severity",
          "subject",
          "source",
          "host",
          "service",
          "experimentid",
          "incidentid");

  /** The facet dimensions of events, in the order search results list them. */
  public static final List<String> FACETS =
      List.of("type", "severity", "subject", "source", "host", "service");

  static final FacetsConfig FACETS_CONFIG = facetsConfig();

  private EventDocuments() {}

  private static FacetsConfig facetsConfig() {
    FacetsConfig config = new FacetsConfig();
    for (String dim : FACETS) {
      // the keyword fields already answer type:x, host:y; drill-down terms would index each value
      // twice more
      config.setDrillDownTermsIndexing(dim, FacetsConfig.DrillDownTermsIndexing.NONE);
    }
    return config;
  }

  /** The term that identifies the event's document: upserts replace by it. */
  public static Term idTerm(String id) {
    return new Term(ID, id);
  }

  /**
   * The document of {@code event}.
   *
   * @param raw the record value, stored as the event's JSON
   * @param fallbackTime the time to index when the event has none (the record's timestamp)
   */
  public static Document toDocument(CloudEvent event, byte[] raw, Instant fallbackTime) {
    Document doc = new Document();
    Instant time = event.time() != null ? event.time() : fallbackTime;
    long millis = time.toEpochMilli();
    String text = keywordsAndText(doc, event);
    doc.add(new SortedDocValuesField(ID, new BytesRef(event.id())));
    doc.add(new LongPoint(TIME, millis));
    doc.add(new NumericDocValuesField(TIME, millis));
    doc.add(new TextField(TEXT, text, Field.Store.NO));
    doc.add(new StoredField(EVENT, new BytesRef(raw)));
    facet(doc, "type", event.type());
    facet(doc, "severity", event.severityOrInfo().value());
    facet(doc, "subject", event.subject());
    facet(doc, "source", event.source());
    facet(doc, "host", EventHosts.of(event));
    facet(doc, "service", serviceOf(event.source()));
    try {
      return FACETS_CONFIG.build(doc);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("facet fields of a fresh document always build", e);
    }
  }

  /**
   * The {@code text} field of {@code event}'s document, exactly as indexed: highlighting analyses
   * it again from the stored event instead of the index storing a second copy.
   */
  public static String searchableText(CloudEvent event) {
    return keywordsAndText(null, event);
  }

  /**
   * Adds the keyword and {@code data.*} fields to {@code doc} (when not null); returns the text.
   */
  private static String keywordsAndText(Document doc, CloudEvent event) {
    StringBuilder text = new StringBuilder(256);
    if (doc != null) {
      // the id is searched exactly, not as text: its tokens would be a handful of terms no other
      // event has, the costliest kind to index and to merge
      doc.add(new StringField(ID, event.id(), Field.Store.NO));
    }
    keyword(doc, text, "type", event.type());
    keyword(doc, text, "severity", event.severityOrInfo().value());
    keyword(doc, text, "subject", event.subject());
    keyword(doc, text, "source", event.source());
    keyword(doc, text, "host", EventHosts.of(event));
    keyword(doc, text, "service", serviceOf(event.source()));
    keyword(doc, text, "experimentid", event.experimentId());
    keyword(doc, text, "incidentid", event.incidentId());
    if (event.data() != null) {
      data(doc, text, "data", event.data());
    }
    return text.toString();
  }

  static String serviceOf(String source) {
    String trimmed = source.startsWith("/") ? source.substring(1) : source;
    int slash = trimmed.indexOf('/');
    String first = slash >= 0 ? trimmed.substring(0, slash) : trimmed;
    return first.isEmpty() ? null : first;
  }

  private static void keyword(Document doc, StringBuilder text, String field, String value) {
    if (value != null && !value.isEmpty()) {
      if (doc != null) {
        doc.add(new StringField(field, value, Field.Store.NO));
      }
      text.append(value).append('\n');
    }
  }

  private static void facet(Document doc, String dim, String value) {
    if (value != null && !value.isEmpty()) {
      doc.add(new SortedSetDocValuesFacetField(dim, value));
    }
  }

  private static void data(Document doc, StringBuilder text, String path, JsonNode node) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        data(doc, text, path + "." + field.getKey(), field.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        data(doc, text, path, element);
      }
    } else if (!node.isNull()) {
      String value = node.asText();
      if (doc != null && !value.isEmpty() && value.length() <= 1024) {
        doc.add(new StringField(path, value, Field.Store.NO));
      }
      text.append(value).append('\n');
    }
  }
}
