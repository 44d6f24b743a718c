package io.valentia.postmortem.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.facet.sortedset.DefaultSortedSetDocValuesReaderState;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesReaderState;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * A Lucene index on disk whose commits carry the Kafka offsets they contain. Documents are upserted
 * by a key term; {@link #commit} stores the next offset to read of each partition in the commit's
 * user data together with the documents, so after a crash the index and its offsets agree and
 * {@link #committedOffsets()} says where to resume.
 *
 * <p>{@link #upsert} is safe from several threads at once (each indexes into its own in-memory
 * segment); {@link #commit} must not overlap upserts whose offsets it does not carry. Searches
 * through {@link #searchers()} are safe from any thread, but block: never call them on an event
 * loop.
 *
 * <p>Tuned for ingest: documents are only made durable by {@link #commit} (no commit per record), a
 * 128 MiB indexing buffer, and no compound files (packing each new segment into one file copies it
 * once more; the indexer's segments are many and small because of near-real-time refreshes).
 */
public final class EventIndex implements AutoCloseable {
  private static final String OFFSET_PREFIX = "offset:";

  private final Path dir;
  private final FSDirectory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Map<TopicPartition, Long> committed;

  private EventIndex(Path dir, FSDirectory directory, IndexWriter writer) throws IOException {
    this.dir = dir;
    this.directory = directory;
    this.writer = writer;
    this.searchers = new SearcherManager(writer, true, true, new FacetedSearcher.Factory());
    this.committed = readOffsets(writer);
  }

  /**
   * Opens (creating when absent) the index in {@code dir}.
   *
   * @throws IndexLockedException when another process or indexer holds it
   */
  public static EventIndex open(Path dir, Analyzer analyzer) {
    try {
      Files.createDirectories(dir);
      FSDirectory directory = FSDirectory.open(dir);
      IndexWriterConfig config = writerConfig(analyzer);
      config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      // documents and offsets become durable together, only in commit()
      config.setCommitOnClose(false);
      try {
        return new EventIndex(dir, directory, new IndexWriter(directory, config));
      } catch (LockObtainFailedException e) {
        directory.close();
        throw new IndexLockedException(dir, e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the index in " + dir, e);
    }
  }

  /**
   * The writer settings of every event index (a fresh config each call): a 128 MiB indexing buffer
   * and no compound files. Exposed so that a benchmark can index the same way without Kafka.
   */
  public static IndexWriterConfig writerConfig(Analyzer analyzer) {
    IndexWriterConfig config = new IndexWriterConfig(analyzer);
    config.setRAMBufferSizeMB(128);
    config.setUseCompoundFile(false);
    TieredMergePolicy merges = new TieredMergePolicy();
    merges.setNoCFSRatio(0.0);
    config.setMergePolicy(merges);
    return config;
  }

  public Path dir() {
    return dir;
  }

  /** The next offset to read of each partition, as of the last commit; empty for a new index. */
  public synchronized Map<TopicPartition, Long> committedOffsets() {
    return Map.copyOf(committed);
  }

  /** Adds {@code doc}, replacing every document with {@code key}. */
  public void upsert(Term key, Document doc) throws IOException {
    writer.updateDocument(key, doc);
  }

  /**
   * Makes every upsert so far durable together with {@code nextOffsets} (merged over the offsets of
   * the previous commit).
   */
  public synchronized void commit(Map<TopicPartition, Long> nextOffsets) throws IOException {
    Map<TopicPartition, Long> merged = new HashMap<>(committed);
    merged.putAll(nextOffsets);
    Map<String, String> userData = new LinkedHashMap<>();
    merged.forEach(
        (tp, offset) ->
            userData.put(OFFSET_PREFIX + tp.topic() + ":" + tp.partition(), Long.toString(offset)));
    writer.setLiveCommitData(userData.entrySet());
    writer.commit();
    committed.clear();
    committed.putAll(merged);
  }

  /** Makes the upserts so far visible to searches (not durable: that is {@link #commit}). */
  public void refresh() throws IOException {
    searchers.maybeRefreshBlocking();
  }

  /** Searchers over the near-real-time view; acquire and release each one. */
  public SearcherManager searchers() {
    return searchers;
  }

  /** How many documents searches see now. */
  public int documentCount() throws IOException {
    FacetedSearcher searcher = (FacetedSearcher) searchers.acquire();
    try {
      return searcher.getIndexReader().numDocs();
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * Closes the index, dropping every upsert since the last commit (as a crash would). Commit first
   * to keep them.
   */
  @Override
  public void close() throws IOException {
    try {
      searchers.close();
    } finally {
      try {
        writer.rollback();
      } finally {
        directory.close();
      }
    }
  }

  private static Map<TopicPartition, Long> readOffsets(IndexWriter writer) throws IOException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    if (!DirectoryReader.indexExists(writer.getDirectory())) {
      return offsets;
    }
    Iterable<Map.Entry<String, String>> data = writer.getLiveCommitData();
    if (data == null) {
      return offsets;
    }
    for (Map.Entry<String, String> entry : data) {
      if (entry.getKey().startsWith(OFFSET_PREFIX)) {
        String rest = entry.getKey().substring(OFFSET_PREFIX.length());
        int colon = rest.lastIndexOf(':');
        offsets.put(
            new TopicPartition(
                rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1))),
            Long.parseLong(entry.getValue()));
      }
    }
    return offsets;
  }

  /**
   * A searcher that also holds its reader's facet state, built once per reader by the first search
   * that counts facets: readers refreshed several times a second while nobody counts facets never
   * pay for it (it merges the facet ordinals of every segment).
   */
  public static final class FacetedSearcher extends org.apache.lucene.search.IndexSearcher {
    private volatile Optional<SortedSetDocValuesReaderState> facets;

    FacetedSearcher(IndexReader reader) {
      super(reader);
    }

    /** The facet state of this reader; empty while no document has facets. */
    public Optional<SortedSetDocValuesReaderState> facets() throws IOException {
      Optional<SortedSetDocValuesReaderState> state = facets;
      if (state == null) {
        synchronized (this) {
          state = facets;
          if (state == null) {
            state = buildFacets(getIndexReader());
            facets = state;
          }
        }
      }
      return state;
    }

    private static Optional<SortedSetDocValuesReaderState> buildFacets(IndexReader reader)
        throws IOException {
      try {
        return Optional.of(
            new DefaultSortedSetDocValuesReaderState(reader, EventDocuments.FACETS_CONFIG));
      } catch (IllegalArgumentException e) {
        return Optional.empty(); // no document has facets yet
      }
    }

    static final class Factory extends SearcherFactory {
      @Override
      public org.apache.lucene.search.IndexSearcher newSearcher(
          IndexReader reader, IndexReader previousReader) {
        return new FacetedSearcher(reader);
      }
    }
  }
}
