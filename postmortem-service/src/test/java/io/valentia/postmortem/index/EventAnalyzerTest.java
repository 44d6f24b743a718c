package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventAnalyzerTest {
  private final Directory dir = new ByteBuffersDirectory();
  private DirectoryReader reader;

  @BeforeEach
  void index() throws IOException {
    try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(new EventAnalyzer()))) {
      add(writer, "libz", "dlopen: loading libz.so.1.2.9 failed on osd-12");
      add(writer, "lease", "lease of /tmp/junit5/leased.txt granted to worker_7");
      add(writer, "peer", "10.0.0.7:7 replied in 120 us");
      add(writer, "other", "libzfoo.so loaded");
    }
    reader = DirectoryReader.open(dir);
  }

  @AfterEach
  void close() throws IOException {
    reader.close();
    dir.close();
  }

  private static void add(IndexWriter writer, String name, String text) throws IOException {
    Document doc = new Document();
    doc.add(new StringField("name", name, Field.Store.YES));
    doc.add(new TextField(EventDocuments.TEXT, text, Field.Store.NO));
    writer.addDocument(doc);
  }

  private List<String> search(String query) throws Exception {
    QueryParser parser = new QueryParser(EventDocuments.TEXT, EventAnalyzer.forQueries());
    parser.setDefaultOperator(QueryParser.Operator.AND);
    IndexSearcher searcher = new IndexSearcher(reader);
    List<String> names = new ArrayList<>();
    for (ScoreDoc hit : searcher.search(parser.parse(query), 10).scoreDocs) {
      names.add(searcher.storedFields().document(hit.doc).get("name"));
    }
    return names;
  }

  @Test
  @DisplayName("A part of a file name finds it: libz finds libz.so.1.2.9, leased finds leased.txt")
  void partsOfFileNamesAreFound() throws Exception {
    assertThat(search("libz")).containsExactly("libz");
    assertThat(search("leased")).containsExactly("lease");
    assertThat(search("txt")).containsExactly("lease");
    assertThat(search("junit5")).containsExactly("lease");
    assertThat(search("worker")).containsExactly("lease");
  }

  @Test
  @DisplayName("The whole file name still finds exactly its documents, not every one with a part")
  void wholeNamesStayExact() throws Exception {
    assertThat(search("libz.so.1.2.9")).containsExactly("libz");
    assertThat(search("LIBZ.SO.1.2.9")).containsExactly("libz");
    assertThat(search("leased.txt")).containsExactly("lease");
    assertThat(search("libzfoo.so")).containsExactly("other");
  }

  @Test
  @DisplayName("Phrases across a file name keep their positions, with the whole name or a part")
  void phrasesStillMatch() throws Exception {
    assertThat(search("\"loading libz.so.1.2.9 failed\"")).containsExactly("libz");
    assertThat(search("\"loading libz.so\"")).containsExactly("libz");
    assertThat(search("\"libz.so.1.2.9 failed on osd-12\"")).containsExactly("libz");
    assertThat(search("\"lease of tmp junit5 leased.txt granted\"")).containsExactly("lease");
    assertThat(search("\"loading failed\"")).isEmpty();
  }

  @Test
  @DisplayName("Numbers and addresses stay whole: 10 does not find 10.0.0.7")
  void numbersAreNotSplit() throws Exception {
    assertThat(search("10")).isEmpty();
    assertThat(search("10.0.0.7")).containsExactly("peer");
  }

  @Test
  @DisplayName(
      "The parts are indexed at the name's own position, after it, with their own offsets; the"
          + " version number stays whole")
  void partsShareThePosition() throws IOException {
    Analyzer analyzer = new EventAnalyzer();
    List<String> tokens = new ArrayList<>();
    try (TokenStream stream = analyzer.tokenStream(EventDocuments.TEXT, "load libz.so.1.2.9 now")) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute position = stream.addAttribute(PositionIncrementAttribute.class);
      org.apache.lucene.analysis.tokenattributes.OffsetAttribute offset =
          stream.addAttribute(org.apache.lucene.analysis.tokenattributes.OffsetAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        tokens.add(
            term
                + "+"
                + position.getPositionIncrement()
                + "@"
                + offset.startOffset()
                + "-"
                + offset.endOffset());
      }
      stream.end();
    }
    assertThat(tokens)
        .containsExactly(
            "load+1@0-4",
            "libz.so+1@5-12",
            "libz+0@5-9",
            "so+0@10-12",
            "1.2.9+1@13-18",
            "now+1@19-22");
  }
}
