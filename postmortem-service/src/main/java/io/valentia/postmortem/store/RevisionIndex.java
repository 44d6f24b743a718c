package io.valentia.postmortem.store;

import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * Every revision of every postmortem, on disk: a Lucene index (beside the postmortems index) with
 * one stored document per revision (what the history lists, and the whole document as of that
 * revision) and one per postmortem with its head as the reader of the log last decided it. Its
 * commits carry the offsets of {@code valentia.postmortems} that they hold, so a restart resumes
 * where the last commit ended and re-reading a record rewrites the same documents. The history
 * costs disk, not heap: a read loads only the documents it returns.
 *
 * <p>Writes come from one thread (the reader of the log); reads are safe from any thread but block,
 * and see what the last {@link #refresh} made visible.
 */
public final class RevisionIndex implements AutoCloseable {
  /** The directory name beside the postmortems index. */
  public static final String DIRECTORY = "postmortem-revisions";

  private static final String KEY = "key";
  private static final String POSTMORTEM = "postmortemid";
  private static final String REVISION = "revision";
  private static final String ENTRY = "entry";
  private static final String DOCUMENT = "document";
  private static final String HEAD = "head";
  private static final int PAGE = 10_000;

  private final EventIndex index;

  private RevisionIndex(EventIndex index) {
    this.index = index;
  }

  /**
   * Opens (creating when absent) the index in {@code dir}.
   *
   * @throws io.valentia.postmortem.index.IndexLockedException when another process holds it
   */
  public static RevisionIndex open(Path dir) {
    return new RevisionIndex(EventIndex.open(dir, new EventAnalyzer()));
  }

  /** Stores {@code revision} and makes {@code head} (the postmortem after it) the head. */
  void write(PostmortemHead head, PostmortemRevision revision) throws IOException {
    Document rev = new Document();
    rev.add(new StringField(KEY, revisionKey(head.id(), revision.revision()), Field.Store.NO));
    rev.add(new StringField(POSTMORTEM, head.id(), Field.Store.NO));
    rev.add(new IntPoint(REVISION, revision.revision()));
    rev.add(new NumericDocValuesField(REVISION, revision.revision()));
    rev.add(new StoredField(ENTRY, new BytesRef(bytes(RevisionEntry.of(revision)))));
    rev.add(new StoredField(DOCUMENT, new BytesRef(bytes(head.document()))));
    index.upsert(new Term(KEY, revisionKey(head.id(), revision.revision())), rev);
    Document h = new Document();
    h.add(new StringField(KEY, headKey(head.id()), Field.Store.NO));
    h.add(new StoredField(HEAD, new BytesRef(bytes(head))));
    index.upsert(new Term(KEY, headKey(head.id())), h);
  }

  /** The head of postmortem {@code id} as of the last refresh. */
  public Optional<PostmortemHead> head(String id) {
    return stored(headKey(id), HEAD).map(b -> read(b, PostmortemHead.class));
  }

  /** The document as of revision {@code revision} of {@code id}; empty when there is none. */
  public Optional<Postmortem> document(String id, int revision) {
    return stored(revisionKey(id, revision), DOCUMENT).map(b -> read(b, Postmortem.class));
  }

  /** Revision {@code revision} of {@code id} as the history lists it; empty when there is none. */
  public Optional<RevisionEntry> entry(String id, int revision) {
    return stored(revisionKey(id, revision), ENTRY).map(b -> read(b, RevisionEntry.class));
  }

  /**
   * Up to {@code limit} revisions of {@code id} from number {@code from} on, oldest first, read
   * from disk.
   */
  public List<RevisionEntry> entries(String id, int from, int limit) {
    List<RevisionEntry> out = new ArrayList<>();
    IndexSearcher searcher = acquire();
    try {
      BooleanQuery query =
          new BooleanQuery.Builder()
              .add(new TermQuery(new Term(POSTMORTEM, id)), BooleanClause.Occur.FILTER)
              .add(
                  IntPoint.newRangeQuery(REVISION, from, Integer.MAX_VALUE),
                  BooleanClause.Occur.FILTER)
              .build();
      Sort byRevision = new Sort(new SortField(REVISION, SortField.Type.INT));
      StoredFields fields = searcher.storedFields();
      ScoreDoc after = null;
      while (out.size() < limit) {
        int want = Math.min(PAGE, limit - out.size());
        TopDocs page =
            after == null
                ? searcher.search(query, want, byRevision)
                : searcher.searchAfter(after, query, want, byRevision);
        for (ScoreDoc hit : page.scoreDocs) {
          BytesRef entry = fields.document(hit.doc).getBinaryValue(ENTRY);
          out.add(read(entry, RevisionEntry.class));
        }
        if (page.scoreDocs.length < want) {
          break;
        }
        after = page.scoreDocs[page.scoreDocs.length - 1];
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(searcher);
    }
  }

  /** Makes the writes so far visible to reads. */
  public void refresh() throws IOException {
    index.refresh();
  }

  /** Makes every write so far durable together with {@code nextOffsets}. */
  void commit(Map<TopicPartition, Long> nextOffsets) throws IOException {
    index.commit(nextOffsets);
  }

  /** The next offset to read of each partition, as of the last commit; empty for a new index. */
  public Map<TopicPartition, Long> committedOffsets() {
    return index.committedOffsets();
  }

  /** Documents on disk (two per postmortem's first revision, one per later revision). */
  public int documentCount() throws IOException {
    return index.documentCount();
  }

  /** Closes the index, dropping what was not committed. */
  @Override
  public void close() throws IOException {
    index.close();
  }

  private Optional<BytesRef> stored(String key, String field) {
    IndexSearcher searcher = acquire();
    try {
      TopDocs top = searcher.search(new TermQuery(new Term(KEY, key)), 1);
      if (top.scoreDocs.length == 0) {
        return Optional.empty();
      }
      return Optional.ofNullable(
          searcher.storedFields().document(top.scoreDocs[0].doc).getBinaryValue(field));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(searcher);
    }
  }

  private IndexSearcher acquire() {
    try {
      return index.searchers().acquire();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void release(IndexSearcher searcher) {
    try {
      index.searchers().release(searcher);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String revisionKey(String id, int revision) {
    return "r:" + id + ":" + revision;
  }

  private static String headKey(String id) {
    return "h:" + id;
  }

  private static byte[] bytes(Object value) {
    try {
      return EventCodec.MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T read(BytesRef bytes, Class<T> type) {
    try {
      return EventCodec.MAPPER.readValue(bytes.bytes, bytes.offset, bytes.length, type);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored " + type.getSimpleName() + " does not read back", e);
    }
  }
}
