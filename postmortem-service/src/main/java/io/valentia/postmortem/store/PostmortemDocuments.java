package io.valentia.postmortem.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.index.EventDocuments;
import java.io.IOException;
import java.util.List;
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
 * How the latest revision of a postmortem becomes a Lucene document, one per postmortem, with the
 * field names of event documents where they mean the same ({@code id}, {@code time}, {@code text},
 * {@code event}) so {@link io.valentia.postmortem.search.IndexSearch} searches both. Fields: {@code
 * id} and {@code postmortemid}, {@code status}, {@code incidentid}, {@code author} (every author)
 * exact; {@code title}, {@code summary}, {@code impact}, {@code trigger}, {@code detection}, {@code
 * resolution}, {@code findings}, {@code testimonies}, {@code actions} analysed; {@code text} every
 * section, analysed and stored for snippets; {@code time} the latest revision's time; {@code event}
 * the {@link #summary summary} JSON. Facets: {@link #FACETS}.
 */
public final class PostmortemDocuments {
  /** The facet dimensions of postmortems. */
  public static final List<String> FACETS = List.of("status", "author", "incident");

  private static final FacetsConfig FACETS_CONFIG = new FacetsConfig();

  static {
    FACETS_CONFIG.setMultiValued("author", true);
  }

  private PostmortemDocuments() {}

  public static Term idTerm(String id) {
    return new Term(EventDocuments.ID, id);
  }

  /** The document of {@code head}, a postmortem's latest revision. */
  public static Document toDocument(PostmortemHead head) {
    Postmortem p = head.document();
    Document doc = new Document();
    doc.add(new StringField(EventDocuments.ID, head.id(), Field.Store.NO));
    doc.add(new SortedDocValuesField(EventDocuments.ID, new BytesRef(head.id())));
    doc.add(new StringField("postmortemid", head.id(), Field.Store.NO));
    doc.add(new StringField("status", p.status(), Field.Store.NO));
    if (!p.incidentId().isEmpty()) {
      doc.add(new StringField("incidentid", p.incidentId(), Field.Store.NO));
      doc.add(new SortedSetDocValuesFacetField("incident", p.incidentId()));
    }
    for (String author : head.authors()) {
      doc.add(new StringField("author", author, Field.Store.NO));
      doc.add(new SortedSetDocValuesFacetField("author", author));
    }
    doc.add(new SortedSetDocValuesFacetField("status", p.status()));
    prose(doc, "title", p.title());
    prose(doc, "summary", p.summary());
    prose(doc, "impact", p.impact());
    prose(doc, "trigger", p.trigger());
    prose(doc, "detection", p.detection());
    prose(doc, "resolution", p.resolution());
    StringBuilder findings = new StringBuilder();
    p.findings().forEach(f -> findings.append(f.text()).append('\n'));
    prose(doc, "findings", findings.toString());
    StringBuilder testimonies = new StringBuilder();
    p.testimonies()
        .forEach(
            t ->
                testimonies
                    .append(t.who())
                    .append(' ')
                    .append(t.role())
                    .append('\n')
                    .append(t.statement())
                    .append('\n'));
    prose(doc, "testimonies", testimonies.toString());
    StringBuilder actions = new StringBuilder();
    p.actionItems()
        .forEach(a -> actions.append(a.action()).append(' ').append(a.owner()).append('\n'));
    prose(doc, "actions", actions.toString());
    long millis = head.updated().toEpochMilli();
    doc.add(new LongPoint(EventDocuments.TIME, millis));
    doc.add(new NumericDocValuesField(EventDocuments.TIME, millis));
    doc.add(new TextField(EventDocuments.TEXT, text(head.id(), p), Field.Store.YES));
    doc.add(new StoredField(EventDocuments.EVENT, new BytesRef(bytes(summary(head)))));
    try {
      return FACETS_CONFIG.build(doc);
    } catch (IOException e) {
      throw new IllegalStateException("facet fields of a fresh document always build", e);
    }
  }

  /**
   * What searches return of a postmortem: {@code id}, {@code title}, {@code status}, {@code
   * incidentId}, {@code revision}, {@code created}, {@code updated}, {@code authors}, {@code
   * summary}.
   */
  public static ObjectNode summary(PostmortemHead head) {
    Postmortem p = head.document();
    ObjectNode node = EventCodec.MAPPER.createObjectNode();
    node.put("id", head.id());
    node.put("title", p.title());
    node.put("status", p.status());
    node.put("incidentId", p.incidentId());
    node.put("revision", head.revision());
    node.put("created", head.created().toString());
    node.put("updated", head.updated().toString());
    node.set("authors", EventCodec.MAPPER.valueToTree(head.authors()));
    node.put("summary", p.summary());
    return node;
  }

  private static void prose(Document doc, String field, String value) {
    if (!value.isEmpty()) {
      doc.add(new TextField(field, value, Field.Store.NO));
    }
  }

  private static String text(String id, Postmortem p) {
    StringBuilder text = new StringBuilder(1024);
    text.append(id).append('\n');
    JsonNode tree = PostmortemSections.tree(p);
    for (String name : PostmortemSections.NAMES) {
      append(text, tree.path(name));
    }
    return text.toString();
  }

  private static void append(StringBuilder text, JsonNode node) {
    if (node.isContainerNode()) {
      node.forEach(child -> append(text, child));
    } else if (node.isTextual() && !node.asText().isEmpty()) {
      text.append(node.asText()).append('\n');
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return EventCodec.MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
