package io.valentia.postmortem.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.AnalyzerWrapper;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;

/**
 * The analyzer of event and postmortem indexes: {@link EventDocuments#TEXT} and other prose fields
 * are tokenized with the standard analyzer; keyword fields and {@code data.*} are matched exactly,
 * so {@code type:io.valentia.probe.mtu.mismatch.v1} and {@code data.peer:"10.0.0.12:7"} work in
 * queries.
 */
public final class EventAnalyzer extends AnalyzerWrapper {
  private final Analyzer text = new StandardAnalyzer();
  private final Analyzer keyword = new KeywordAnalyzer();

  public EventAnalyzer() {
    super(Analyzer.PER_FIELD_REUSE_STRATEGY);
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
}
