package io.valentia.postmortem.index;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/**
 * Adds the parts of a file name or other dotted, underscored or colon-joined word ({@code
 * libz.so.1.2.9}, {@code leased.txt}, {@code drive_file}) as terms at the word's own position, so
 * that {@code libz} finds {@code libz.so.1.2.9} while phrases that hold the whole word still match
 * (no position moves). Only words with a letter are split: a number or an address such as {@code
 * 10.0.0.7} stays one term. Each part keeps its own offsets, for highlighting.
 */
final class FileNameParts extends TokenFilter {
  private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
  private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
  private final PositionIncrementAttribute position =
      addAttribute(PositionIncrementAttribute.class);
  private final Deque<int[]> parts = new ArrayDeque<>();
  private char[] word = new char[0];
  private int wordStart;
  private boolean exactOffsets;
  private State state;

  FileNameParts(TokenStream input) {
    super(input);
  }

  @Override
  public boolean incrementToken() throws IOException {
    if (!parts.isEmpty()) {
      int[] part = parts.poll();
      restoreState(state);
      term.copyBuffer(word, part[0], part[1] - part[0]);
      if (exactOffsets) {
        offset.setOffset(wordStart + part[0], wordStart + part[1]);
      }
      position.setPositionIncrement(0);
      return true;
    }
    if (!input.incrementToken()) {
      return false;
    }
    split();
    if (!parts.isEmpty()) {
      state = captureState();
    }
    return true;
  }

  /** Queues the distinct parts of the current term that differ from it. */
  private void split() {
    char[] buffer = term.buffer();
    int length = term.length();
    boolean letter = false;
    boolean separator = false;
    for (int i = 0; i < length; i++) {
      char c = buffer[i];
      letter |= Character.isLetter(c);
      separator |= !Character.isLetterOrDigit(c);
    }
    if (!letter || !separator) {
      return;
    }
    word = java.util.Arrays.copyOf(buffer, length);
    wordStart = offset.startOffset();
    exactOffsets = offset.endOffset() - offset.startOffset() == length;
    Set<String> seen = new LinkedHashSet<>();
    int start = -1;
    for (int i = 0; i <= length; i++) {
      boolean inPart = i < length && Character.isLetterOrDigit(word[i]);
      if (inPart && start < 0) {
        start = i;
      } else if (!inPart && start >= 0) {
        if (seen.add(new String(word, start, i - start))) {
          parts.add(new int[] {start, i});
        }
        start = -1;
      }
    }
  }

  @Override
  public void reset() throws IOException {
    super.reset();
    parts.clear();
    state = null;
  }
}
