package io.valentia.postmortem.documents;

import java.util.ArrayList;
import java.util.List;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.ListBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.SourceSpan;

/**
 * The Markdown as written under the nodes parsed from it (with source spans): a node's lines, its
 * text joined, a list's items, a heading's text. What the parser would render is never used, so
 * text keeps its Markdown (emphasis, links) as its author wrote it.
 */
final class MarkdownSource {
  private final String markdown;

  MarkdownSource(String markdown) {
    this.markdown = markdown;
  }

  /** The items of a list, each its Markdown on one line; a paragraph is one item. */
  List<String> items(Node block) {
    List<String> items = new ArrayList<>();
    if (block instanceof ListBlock) {
      for (Node item = block.getFirstChild(); item != null; item = item.getNext()) {
        if (item instanceof ListItem) {
          StringBuilder text = new StringBuilder();
          for (Node child = item.getFirstChild(); child != null; child = child.getNext()) {
            String part = joined(child, " ");
            if (!part.isEmpty()) {
              text.append(text.length() == 0 ? "" : " ").append(part);
            }
          }
          items.add(text.toString());
        }
      }
    } else {
      String text = joined(block, " ");
      if (!text.isEmpty()) {
        items.add(text);
      }
    }
    return items;
  }

  /** The source lines of {@code node}, as written (without list markers or indentation). */
  List<String> lines(Node node) {
    List<String> lines = new ArrayList<>();
    for (SourceSpan span : node.getSourceSpans()) {
      lines.add(markdown.substring(span.getInputIndex(), span.getInputIndex() + span.getLength()));
    }
    return lines;
  }

  /** {@code node}'s source lines, stripped and joined with {@code separator}. */
  String joined(Node node, String separator) {
    List<String> lines = new ArrayList<>();
    for (String line : lines(node)) {
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    return String.join(separator, lines);
  }

  /** {@code node}'s Markdown as written, from its first character to its last. */
  String raw(Node node) {
    List<SourceSpan> spans = node.getSourceSpans();
    if (spans.isEmpty()) {
      return "";
    }
    SourceSpan first = spans.get(0);
    SourceSpan last = spans.get(spans.size() - 1);
    return markdown.substring(first.getInputIndex(), last.getInputIndex() + last.getLength());
  }

  /** A heading's text as written, without inline HTML such as {@code <a name="x"/>}. */
  String headingText(Heading heading) {
    StringBuilder text = new StringBuilder();
    for (Node inline = heading.getFirstChild(); inline != null; inline = inline.getNext()) {
      if (!(inline instanceof HtmlInline)) {
        text.append(raw(inline));
      }
    }
    return text.toString().strip();
  }
}
