package io.valentia.postmortem.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventDocuments;
import io.valentia.postmortem.index.EventIndex;
import io.valentia.postmortem.index.EventIndex.FacetedSearcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.facet.FacetResult;
import org.apache.lucene.facet.FacetsCollector;
import org.apache.lucene.facet.FacetsCollectorManager;
import org.apache.lucene.facet.LabelAndValue;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetCounts;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesReaderState;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.util.BytesRef;

/**
 * Searches an {@link EventIndex}: query syntax, time range, facets, highlighted snippets, sort and
 * cursor pagination ({@code search_after}). Blocking: call it from a worker, never an event loop.
 * Thread-safe.
 */
public final class IndexSearch {
  private static final int FACET_TOP = 10;
  private static final int SNIPPET_CHARS = 240;

  private final EventIndex index;
  private final List<String> dimensions;
  private final EventAnalyzer analyzer = new EventAnalyzer();
  private final EventAnalyzer queryAnalyzer = EventAnalyzer.forQueries();

  /**
   * @param dimensions the facet dimensions this index has
   */
  public IndexSearch(EventIndex index, List<String> dimensions) {
    this.index = index;
    this.dimensions = List.copyOf(dimensions);
  }

  /** Searches for events ({@link EventDocuments#FACETS}). */
  public static IndexSearch events(EventIndex index) {
    return new IndexSearch(index, EventDocuments.FACETS);
  }

  /**
   * Runs {@code request}.
   *
   * @throws BadQueryException when the query does not parse, the cursor is not one of ours or a
   *     facet is unknown
   */
  public SearchPage search(SearchRequest request) {
    List<String> facets = request.facets() == null ? dimensions : request.facets();
    for (String facet : facets) {
      if (!dimensions.contains(facet)) {
        throw new BadQueryException("unknown facet " + facet + " (known: " + dimensions + ")");
      }
    }
    Query query = query(request);
    Sort sort = sort(request.sort());
    Object[] after = request.cursor() == null ? null : decodeCursor(request.cursor(), request);
    try {
      FacetedSearcher searcher = (FacetedSearcher) index.searchers().acquire();
      try {
        // ids are unique, so the sort values alone place the cursor; the last doc id makes the
        // collector skip the document the cursor was taken from
        FieldDoc afterDoc =
            after == null
                ? null
                : new FieldDoc(searcher.getIndexReader().maxDoc() - 1, Float.NaN, after);
        boolean scores = request.sort() == SearchRequest.Order.RELEVANCE;
        TopFieldDocs top;
        long total;
        Map<String, List<SearchPage.FacetCount>> counts = new LinkedHashMap<>();
        Optional<SortedSetDocValuesReaderState> facetState =
            facets.isEmpty() ? Optional.empty() : searcher.facets();
        if (facetState.isPresent()) {
          // one pass over the matches collects both the page and the facet counts
          FacetsCollectorManager.FacetsResult result =
              FacetsCollectorManager.searchAfter(
                  searcher,
                  afterDoc,
                  query,
                  request.size(),
                  sort,
                  scores,
                  new FacetsCollectorManager());
          top = (TopFieldDocs) result.topDocs();
          FacetsCollector collector = result.facetsCollector();
          total = collector.getMatchingDocs().stream().mapToLong(m -> m.totalHits).sum();
          SortedSetDocValuesFacetCounts facetCounts =
              new SortedSetDocValuesFacetCounts(facetState.get(), collector);
          for (String dim : facets) {
            counts.put(dim, top(facetCounts, dim));
          }
        } else {
          top = searcher.searchAfter(afterDoc, query, request.size(), sort, scores);
          total = searcher.count(query);
          facets.forEach(dim -> counts.put(dim, List.of()));
        }
        List<SearchPage.Hit> hits = hits(searcher, query, top);
        String next =
            top.scoreDocs.length == request.size()
                ? encodeCursor((FieldDoc) top.scoreDocs[top.scoreDocs.length - 1])
                : null;
        return new SearchPage(total, hits, counts, next);
      } finally {
        index.searchers().release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IndexSearcher.TooManyClauses e) {
      throw new BadQueryException("the query expands to too many terms: " + e.getMessage());
    }
  }

  private Query query(SearchRequest request) {
    Query text;
    if (request.query() == null || request.query().isBlank()) {
      text = new MatchAllDocsQuery();
    } else {
      QueryParser parser = new TextOrIdQueryParser(queryAnalyzer);
      try {
        text = parser.parse(request.query());
      } catch (ParseException e) {
        throw new BadQueryException("the query does not parse: " + firstLine(e.getMessage()));
      } catch (RuntimeException e) {
        throw new BadQueryException("the query does not parse: " + e.getMessage());
      }
    }
    if (request.from() == null && request.to() == null) {
      return text;
    }
    long from = request.from() == null ? Long.MIN_VALUE : request.from().toEpochMilli();
    long to = request.to() == null ? Long.MAX_VALUE : request.to().toEpochMilli() - 1;
    return new BooleanQuery.Builder()
        .add(text, BooleanClause.Occur.MUST)
        .add(LongPoint.newRangeQuery(EventDocuments.TIME, from, to), BooleanClause.Occur.FILTER)
        .build();
  }

  /**
   * The query parser of searches: {@link EventDocuments#TEXT} is the default field, terms must all
   * match, and a bare term of the default field also matches an {@link EventDocuments#ID} exactly
   * (ids are not in the text: pasting one finds its event).
   */
  private static final class TextOrIdQueryParser extends QueryParser {
    TextOrIdQueryParser(Analyzer analyzer) {
      super(EventDocuments.TEXT, analyzer);
      setDefaultOperator(QueryParser.Operator.AND);
      // each bare word on its own, so that one of several words can be an id (the analyzers have
      // no multi-word synonyms that would need the words together)
      setSplitOnWhitespace(true);
    }

    @Override
    protected Query getFieldQuery(String field, String queryText, boolean quoted)
        throws ParseException {
      Query text = super.getFieldQuery(field, queryText, quoted);
      if (!EventDocuments.TEXT.equals(field)
          || queryText.isEmpty()
          || queryText.chars().anyMatch(Character::isWhitespace)) {
        return text;
      }
      BooleanQuery.Builder either = new BooleanQuery.Builder();
      if (text != null) {
        either.add(text, BooleanClause.Occur.SHOULD);
      }
      either.add(new TermQuery(new Term(EventDocuments.ID, queryText)), BooleanClause.Occur.SHOULD);
      return either.build();
    }
  }

  private static Sort sort(SearchRequest.Order order) {
    SortField id = new SortField(EventDocuments.ID, SortField.Type.STRING);
    return switch (order) {
      case NEWEST -> new Sort(new SortField(EventDocuments.TIME, SortField.Type.LONG, true), id);
      case OLDEST -> new Sort(new SortField(EventDocuments.TIME, SortField.Type.LONG), id);
      case RELEVANCE ->
          new Sort(
              SortField.FIELD_SCORE,
              new SortField(EventDocuments.TIME, SortField.Type.LONG, true),
              id);
    };
  }

  private List<SearchPage.Hit> hits(IndexSearcher searcher, Query query, TopFieldDocs top)
      throws IOException {
    String[] snippets = new String[top.scoreDocs.length];
    if (top.scoreDocs.length > 0 && !(query instanceof MatchAllDocsQuery)) {
      UnifiedHighlighter highlighter =
          new TextRebuildingHighlighter(
              UnifiedHighlighter.builder(searcher, analyzer).withMaxLength(64 * 1024), searcher);
      snippets = highlighter.highlight(EventDocuments.TEXT, query, top, 1);
    }
    List<SearchPage.Hit> hits = new ArrayList<>(top.scoreDocs.length);
    var stored = searcher.storedFields();
    for (int i = 0; i < top.scoreDocs.length; i++) {
      ScoreDoc scoreDoc = top.scoreDocs[i];
      Document doc = stored.document(scoreDoc.doc, Set.of(EventDocuments.EVENT));
      BytesRef raw = doc.getBinaryValue(EventDocuments.EVENT);
      JsonNode source = EventCodec.MAPPER.readTree(raw.bytes, raw.offset, raw.length);
      FieldDoc fieldDoc = (FieldDoc) scoreDoc;
      int timeIndex = fieldDoc.fields.length - 2;
      Instant time = Instant.ofEpochMilli((Long) fieldDoc.fields[timeIndex]);
      String id = ((BytesRef) fieldDoc.fields[fieldDoc.fields.length - 1]).utf8ToString();
      String snippet = snippets[i] == null ? null : trim(snippets[i]);
      hits.add(new SearchPage.Hit(id, time, snippet, source));
    }
    return hits;
  }

  /**
   * Highlights {@link EventDocuments#TEXT}, which event documents do not store: it is rebuilt from
   * the stored event ({@link EventDocuments#searchableText}), exactly as it was indexed. Documents
   * that store their text (older event indexes, other document kinds) are highlighted from it.
   */
  private static final class TextRebuildingHighlighter extends UnifiedHighlighter {
    private final IndexSearcher searcher;

    TextRebuildingHighlighter(UnifiedHighlighter.Builder builder, IndexSearcher searcher) {
      super(builder);
      this.searcher = searcher;
    }

    @Override
    protected List<CharSequence[]> loadFieldValues(
        String[] fields, DocIdSetIterator docs, int cacheCharsThreshold) throws IOException {
      List<CharSequence[]> values = new ArrayList<>();
      StoredFields stored = searcher.storedFields();
      Set<String> load = new HashSet<>(Arrays.asList(fields));
      load.add(EventDocuments.EVENT);
      int chars = 0;
      do {
        int doc = docs.nextDoc();
        if (doc == DocIdSetIterator.NO_MORE_DOCS) {
          break;
        }
        Document document = stored.document(doc, load);
        CharSequence[] byField = new CharSequence[fields.length];
        for (int i = 0; i < fields.length; i++) {
          byField[i] = valueOf(document, fields[i]);
          chars += byField[i] == null ? 0 : byField[i].length();
        }
        values.add(byField);
      } while (chars <= cacheCharsThreshold && cacheCharsThreshold != 0);
      return values;
    }

    private static CharSequence valueOf(Document document, String field) {
      String[] stored = document.getValues(field);
      if (stored.length > 0) {
        return String.join(String.valueOf(MULTIVAL_SEP_CHAR), stored);
      }
      BytesRef raw = document.getBinaryValue(EventDocuments.EVENT);
      if (!field.equals(EventDocuments.TEXT) || raw == null) {
        return null;
      }
      try {
        return EventDocuments.searchableText(
            EventCodec.instance()
                .decodeEnvelope(
                    Arrays.copyOfRange(raw.bytes, raw.offset, raw.offset + raw.length)));
      } catch (InvalidEventException e) {
        return null; // not an event: nothing to highlight
      }
    }
  }

  private static List<SearchPage.FacetCount> top(SortedSetDocValuesFacetCounts counts, String dim)
      throws IOException {
    FacetResult result;
    try {
      result = counts.getTopChildren(FACET_TOP, dim);
    } catch (IllegalArgumentException e) {
      return List.of(); // no document has this dimension yet
    }
    if (result == null) {
      return List.of();
    }
    List<SearchPage.FacetCount> values = new ArrayList<>();
    for (LabelAndValue lv : result.labelValues) {
      values.add(new SearchPage.FacetCount(lv.label, lv.value.longValue()));
    }
    return values;
  }

  private static String encodeCursor(FieldDoc last) {
    StringBuilder s = new StringBuilder();
    for (Object field : last.fields) {
      if (s.length() > 0) {
        s.append('\n');
      }
      if (field instanceof Float f) {
        s.append('f').append(f);
      } else if (field instanceof Long l) {
        s.append('l').append(l);
      } else if (field instanceof BytesRef b) {
        s.append('s').append(b.utf8ToString());
      } else {
        throw new IllegalStateException("unexpected sort value " + field);
      }
    }
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static Object[] decodeCursor(String cursor, SearchRequest request) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", -1);
      int expected = request.sort() == SearchRequest.Order.RELEVANCE ? 3 : 2;
      if (parts.length != expected) {
        throw new IllegalArgumentException("wrong length");
      }
      Object[] fields = new Object[parts.length];
      for (int i = 0; i < parts.length; i++) {
        String value = parts[i].substring(1);
        fields[i] =
            switch (parts[i].charAt(0)) {
              case 'f' -> Float.parseFloat(value);
              case 'l' -> Long.parseLong(value);
              case 's' -> new BytesRef(value);
              default -> throw new IllegalArgumentException("unknown kind");
            };
      }
      return fields;
    } catch (RuntimeException e) {
      throw new BadQueryException("cursor is not one this search returned (or the sort changed)");
    }
  }

  private static String trim(String snippet) {
    String flat = snippet.replace('\n', ' ').strip();
    return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS) + "…";
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
