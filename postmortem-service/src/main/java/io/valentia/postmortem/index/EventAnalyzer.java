package io.valentia.postmortem.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.AnalyzerWrapper;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * The analyzer of event and postmortem indexes: {@link EventDocuments#TEXT} and other prose fields
 * are tokenized as the standard analyzer does (Unicode words, lower-cased), and file names and
 * other dotted words are also indexed by their parts at the same position ({@code libz} finds
 * {@code libz.so.1.2.9}, {@code leased} finds {@code /tmp/x/leased.txt}); keyword fields and {@code
 * data.*} are matched exactly, so {@code type:io.valentia.probe.mtu.mismatch.v1} and {@code
 * data.peer:"10.0.0.12:7"} work in queries.
 *
 * <p>Queries use {@link #forQueries()}, which does not add the parts: a query word is matched as
 * written (the whole file name finds its documents, a part finds the documents that hold it), and a
 * quoted phrase keeps its positions. Thread-safe.
 */
public final class EventAnalyzer extends AnalyzerWrapper {
  private final Analyzer text;
  private final Analyzer keyword = new KeywordAnalyzer();

  /** The analyzer for indexing and highlighting: prose words and the parts of file names. */
  public EventAnalyzer() {
    this(true);
  }

  private EventAnalyzer(boolean fileNameParts) {
    super(Analyzer.PER_FIELD_REUSE_STRATEGY);
    this.text = new Prose(fileNameParts);
  }

  /** The analyzer for parsing queries: as {@link #EventAnalyzer()} without the added parts. */
  public static EventAnalyzer forQueries() {
    return new EventAnalyzer(false);
  }

  @Override
  protected Analyzer getWrappedAnalyzer(String fieldName) {
    return isKeyword(fieldName) ? keyword : text;
  }

  /** Whether {@code field} holds exact values rather than prose. */
  public static boolean isKeyword(String field) {
    return EventDocuments.KEYWORDS.contains(field)
        || field.startsWith(EventDocuments.DATA_PREFIX)
        || field.equals("status")
        || field.equals("tag")
        || field.equals("postmortemid");
  }

  /** Standard tokenizer, lower case, and (when indexing) the parts of file names. */
  private static final class Prose extends Analyzer {
    private final boolean fileNameParts;

    Prose(boolean fileNameParts) {
      this.fileNameParts = fileNameParts;
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      StandardTokenizer source = new StandardTokenizer();
      TokenStream words = new LowerCaseFilter(source);
      return new TokenStreamComponents(source, fileNameParts ? new FileNameParts(words) : words);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
      return new LowerCaseFilter(in);
    }
  }
}
