package io.valentia.postmortem.documents;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableBody;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.ListBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SourceSpan;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/**
 * Reads and writes postmortems in the SRE-book Markdown template, parsed as CommonMark with GitHub
 * tables. Read:
 *
 * <ul>
 *   <li>the {@code # Title};
 *   <li>the header fields, as lines {@code Label: value} or {@code **Label:** value} (the SRE
 *       book's form) or as {@code ##}/{@code ###} sections: Date, Authors (comma-separated or a
 *       list), Status, Incident, and Summary, Impact, Root Causes (or Contributing Factors),
 *       Trigger, Resolution, Detection;
 *   <li>{@code ##} sections Summary, Impact, Trigger, Detection, Resolution (their Markdown as
 *       written), Contributing Factors or Root Causes (a list), Action Items (a table whose columns
 *       are found by their headers: Action, Type, Owner, Due, Status, Bug), Lessons Learned (with
 *       {@code ###} What went well / What went wrong / Where we got lucky), Timeline (items {@code
 *       TIME text}; a date line before them gives the date when the header has none), Testimonies
 *       ({@code ### Who (role), given TIME}, the statement, an {@code Evidence:} line), Findings,
 *       Recommendations and Supporting Information (lists);
 *   <li>{@code [evidence: id, id]} in a timeline entry or finding cites events.
 * </ul>
 *
 * Text keeps its Markdown (emphasis, links) as written; unknown sections are ignored. A status that
 * is not one of {@link Postmortem#STATUSES} is read by its first word ({@code Complete, action
 * items in progress} is {@code final}; anything unknown is {@code draft}). {@link #render} writes
 * every field, and reading what it wrote gives the same document. Stateless and thread-safe.
 */
public final class MarkdownPostmortem {
  private static final Parser PARSER =
      Parser.builder()
          .extensions(List.of(TablesExtension.create()))
          .includeSourceSpans(IncludeSourceSpans.BLOCKS_AND_INLINES)
          .build();

  /** A citation; ids hold no bracket, so each try ends at the next one (linear in the text). */
  private static final Pattern EVIDENCE =
      Pattern.compile("\\[evidence:\\s*+([^\\[\\]]*+)\\]", Pattern.CASE_INSENSITIVE);

  private static final int MAX_TESTIMONY_HEAD = 200;
  private static final Pattern TESTIMONY_HEAD =
      Pattern.compile("^(.+?)\\s*(?:\\(([^)]*)\\))?\\s*(?:,\\s*given\\s+(.+))?$");
  private static final Pattern TIMELINE_ITEM =
      Pattern.compile(
          "^(?:\\*\\*)?(\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z|\\d{1,2}:\\d{2}(?::\\d{2})?)(?:\\*\\*)?"
              + "\\s*[-–:]?\\s*(.*)$");
  private static final Pattern DATE_LINE = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2})\\b.*$");

  /** A header line: {@code Label: value} or {@code **Label:** value} (or {@code __Label:__}). */
  private static final Pattern LABEL =
      Pattern.compile("^(?:\\*\\*|__)?([A-Za-z][A-Za-z ]{1,30}?)\\s*:\\s*(?:\\*\\*|__)?\\s*(.*)$");

  /** Section names, normalised, to the field they fill. */
  private static final Map<String, String> SECTIONS =
      Map.ofEntries(
          Map.entry("date", "date"),
          Map.entry("authors", "authors"),
          Map.entry("author", "authors"),
          Map.entry("status", "status"),
          Map.entry("incident", "incident"),
          Map.entry("summary", "summary"),
          Map.entry("impact", "impact"),
          Map.entry("trigger", "trigger"),
          Map.entry("detection", "detection"),
          Map.entry("resolution", "resolution"),
          Map.entry("contributing factors", "contributingFactors"),
          Map.entry("root causes", "contributingFactors"),
          Map.entry("root cause", "contributingFactors"),
          Map.entry("action items", "actionItems"),
          Map.entry("lessons learned", "lessons"),
          Map.entry("what went well", "wentWell"),
          Map.entry("what went wrong", "wentWrong"),
          Map.entry("where we got lucky", "gotLucky"),
          Map.entry("timeline", "timeline"),
          Map.entry("testimonies", "testimonies"),
          Map.entry("findings", "findings"),
          Map.entry("recommendations", "recommendations"),
          Map.entry("supporting information", "supportingInformation"));

  private MarkdownPostmortem() {}

  /** Parses {@code markdown}; what it lacks stays empty. */
  public static Postmortem parse(String markdown) {
    return new Reading(markdown).read();
  }

  /** Writes {@code postmortem} in the template {@link #parse} reads. */
  public static String render(Postmortem p) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(p.title()).append("\n\n");
    md.append("Status: ").append(p.status()).append('\n');
    if (!p.incidentId().isEmpty()) {
      md.append("Incident: ").append(p.incidentId()).append('\n');
    }
    if (!p.date().isEmpty()) {
      md.append("Date: ").append(p.date()).append('\n');
    }
    if (!p.authors().isEmpty()) {
      md.append("Authors: ").append(String.join(", ", p.authors())).append('\n');
    }
    prose(md, "Summary", p.summary());
    prose(md, "Impact", p.impact());
    prose(md, "Trigger", p.trigger());
    prose(md, "Detection", p.detection());
    prose(md, "Resolution", p.resolution());
    list(md, "## Contributing Factors", p.contributingFactors());
    md.append("\n## Action Items\n\n| Action | Type | Owner | Due | Status | Bug |\n")
        .append("|---|---|---|---|---|---|\n");
    for (Postmortem.ActionItem item : p.actionItems()) {
      md.append("| ")
          .append(
              String.join(
                  " | ",
                  tableCell(item.action()),
                  tableCell(item.type()),
                  tableCell(item.owner()),
                  tableCell(item.due()),
                  tableCell(item.status()),
                  tableCell(item.bug())))
          .append(" |\n");
    }
    md.append("\n## Lessons Learned\n");
    list(md, "### What went well", p.wentWell());
    list(md, "### What went wrong", p.wentWrong());
    list(md, "### Where we got lucky", p.gotLucky());
    md.append("\n## Timeline\n\n");
    for (Postmortem.TimelineEntry entry : p.timeline()) {
      md.append("- ").append(entry.time()).append(' ').append(entry.text());
      cite(md, entry.evidence());
      md.append('\n');
    }
    md.append("\n## Testimonies\n");
    for (Postmortem.Testimony t : p.testimonies()) {
      md.append("\n### ").append(t.who());
      if (!t.role().isEmpty()) {
        md.append(" (").append(t.role()).append(')');
      }
      if (!t.given().isEmpty()) {
        md.append(", given ").append(t.given());
      }
      md.append("\n\n").append(t.statement()).append('\n');
      if (!t.evidence().isEmpty()) {
        md.append("\nEvidence: ").append(String.join(", ", t.evidence())).append('\n');
      }
    }
    md.append("\n## Findings\n\n");
    for (Postmortem.Finding f : p.findings()) {
      md.append("- ").append(f.text().replaceAll("\\s*\\R\\s*", " "));
      cite(md, f.evidence());
      md.append('\n');
    }
    list(md, "## Recommendations", p.recommendations());
    list(md, "## Supporting Information", p.supportingInformation());
    return md.toString();
  }

  /**
   * A table cell's text: a pipe escaped as GFM tables read it, and line breaks (which a table row
   * cannot hold) written as spaces.
   */
  private static String tableCell(String text) {
    return text.replaceAll("\\s*\\R\\s*", " ").replace("|", "\\|");
  }

  private static void prose(StringBuilder md, String heading, String text) {
    md.append("\n## ").append(heading).append("\n\n").append(text).append('\n');
  }

  private static void list(StringBuilder md, String heading, List<String> items) {
    md.append('\n').append(heading).append("\n\n");
    items.forEach(item -> md.append("- ").append(item).append('\n'));
  }

  private static void cite(StringBuilder md, List<String> evidence) {
    if (!evidence.isEmpty()) {
      md.append(" [evidence: ").append(String.join(", ", evidence)).append(']');
    }
  }

  /** One document being read: the parsed tree and the fields found so far. */
  private static final class Reading {
    private final String markdown;
    private String title = "";
    private String status = "";
    private String incident = "";
    private String date = "";
    private final List<String> authors = new ArrayList<>();
    private final Map<String, StringBuilder> prose =
        Map.of(
            "summary", new StringBuilder(),
            "impact", new StringBuilder(),
            "trigger", new StringBuilder(),
            "detection", new StringBuilder(),
            "resolution", new StringBuilder());
    private final Map<String, List<String>> lists =
        Map.of(
            "contributingFactors", new ArrayList<>(),
            "wentWell", new ArrayList<>(),
            "wentWrong", new ArrayList<>(),
            "gotLucky", new ArrayList<>(),
            "findings", new ArrayList<>(),
            "recommendations", new ArrayList<>(),
            "supportingInformation", new ArrayList<>());
    private final List<Postmortem.ActionItem> actionItems = new ArrayList<>();
    private final List<Postmortem.TimelineEntry> timeline = new ArrayList<>();
    private final List<Postmortem.Testimony> testimonies = new ArrayList<>();
    private String timelineDate = "";

    /** The field the blocks being read fill; null before the first section, "" when ignored. */
    private String section;

    private Testimony testimony;

    Reading(String markdown) {
      this.markdown = markdown;
    }

    Postmortem read() {
      Node document = PARSER.parse(markdown);
      for (Node block = document.getFirstChild(); block != null; block = block.getNext()) {
        if (block instanceof Heading heading) {
          heading(heading);
        } else {
          block(block);
        }
      }
      endTestimony();
      return new Postmortem(
          title,
          status(status),
          incident,
          date.isEmpty() ? timelineDate : date,
          authors,
          prose("summary"),
          prose("impact"),
          prose("trigger"),
          prose("detection"),
          prose("resolution"),
          lists.get("contributingFactors"),
          actionItems,
          lists.get("wentWell"),
          lists.get("wentWrong"),
          lists.get("gotLucky"),
          timeline,
          testimonies,
          findings(lists.get("findings")),
          lists.get("recommendations"),
          lists.get("supportingInformation"));
    }

    private void heading(Heading heading) {
      String text = headingText(heading);
      if (heading.getLevel() == 1) {
        if (title.isEmpty()) {
          title = text;
        }
        return;
      }
      if ("testimonies".equals(section) || testimony != null) {
        if (heading.getLevel() >= 3 && !SECTIONS.containsKey(normalise(text))) {
          endTestimony();
          testimony = new Testimony(text);
          return;
        }
        endTestimony();
      }
      String field = SECTIONS.get(normalise(text));
      if (field == null) {
        // an unknown subsection of a known section is read with it; an unknown section ignored
        section = heading.getLevel() == 2 ? "" : section;
      } else {
        section = field;
      }
    }

    private void block(Node block) {
      if (section == null) {
        if (block instanceof Paragraph paragraph) {
          labelledLines(lines(paragraph));
        }
        return;
      }
      switch (section) {
        case "", "lessons" -> {}
        case "date" -> date = joined(block, " ");
        case "status" -> status = joined(block, " ");
        case "incident" -> incident = joined(block, " ");
        case "authors" -> authors(block);
        case "summary", "impact", "trigger", "detection", "resolution" -> appendProse(block);
        case "actionItems" -> {
          if (block instanceof TableBlock table) {
            actionItems(table);
          }
        }
        case "timeline" -> timeline(block);
        case "testimonies" -> testimonyBlock(block);
        default -> lists.get(section).addAll(items(block));
      }
    }

    /** {@code Label: value} lines before the first section; a line without a label continues. */
    private void labelledLines(List<String> lines) {
      String field = null;
      StringBuilder value = new StringBuilder();
      for (String line : lines) {
        Matcher m = LABEL.matcher(line.strip());
        String next = m.matches() ? SECTIONS.get(normalise(m.group(1))) : null;
        if (next != null) {
          header(field, value.toString().strip());
          field = next;
          value = new StringBuilder(m.group(2) == null ? "" : m.group(2));
        } else if (field != null) {
          value.append('\n').append(line.strip());
        }
      }
      header(field, value.toString().strip());
    }

    private void header(String field, String value) {
      if (field == null) {
        return;
      }
      switch (field) {
        case "date" -> date = value;
        case "status" -> status = value;
        case "incident" -> incident = value;
        case "authors" -> authors.addAll(commaSeparated(value));
        case "summary", "impact", "trigger", "detection", "resolution" -> {
          StringBuilder text = prose.get(field);
          text.append(text.length() == 0 ? "" : "\n\n").append(value);
        }
        case "contributingFactors" -> lists.get(field).add(value.replace('\n', ' '));
        default -> {}
      }
    }

    private void appendProse(Node block) {
      StringBuilder text = prose.get(section);
      text.append(text.length() == 0 ? "" : "\n\n").append(raw(block));
    }

    private String prose(String field) {
      return prose.get(field).toString().strip();
    }

    private void authors(Node block) {
      if (block instanceof ListBlock) {
        authors.addAll(items(block));
      } else {
        authors.addAll(commaSeparated(joined(block, " ")));
      }
    }

    private void actionItems(TableBlock table) {
      List<String> header = List.of();
      for (Node part = table.getFirstChild(); part != null; part = part.getNext()) {
        for (Node row = part.getFirstChild(); row != null; row = row.getNext()) {
          if (!(row instanceof TableRow)) {
            continue;
          }
          List<String> cells = new ArrayList<>();
          for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext()) {
            if (cell instanceof TableCell) {
              cells.add(raw(cell).strip().replace("\\|", "|"));
            }
          }
          if (part instanceof TableHead) {
            header = cells.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
          } else if (part instanceof TableBody && cells.stream().anyMatch(c -> !c.isEmpty())) {
            actionItems.add(
                new Postmortem.ActionItem(
                    cell(header, cells, "action"),
                    cell(header, cells, "type"),
                    cell(header, cells, "owner"),
                    cell(header, cells, "due"),
                    cell(header, cells, "status"),
                    cell(header, cells, "bug", "ticket", "issue")));
          }
        }
      }
    }

    private void timeline(Node block) {
      List<String> entries;
      if (block instanceof ListBlock) {
        entries = items(block);
      } else if (block instanceof Paragraph paragraph) {
        entries = new ArrayList<>();
        for (String line : lines(paragraph)) {
          Matcher dateLine = DATE_LINE.matcher(line.strip());
          if (timeline.isEmpty() && entries.isEmpty() && dateLine.matches()) {
            timelineDate = dateLine.group(1);
          } else {
            entries.add(line.strip());
          }
        }
      } else {
        return;
      }
      for (String item : entries) {
        Matcher m = TIMELINE_ITEM.matcher(item);
        String time = m.matches() ? m.group(1) : "";
        String text = m.matches() ? m.group(2) : item;
        timeline.add(new Postmortem.TimelineEntry(time, stripEvidence(text), evidence(text)));
      }
    }

    private void testimonyBlock(Node block) {
      if (testimony == null) {
        return;
      }
      if (block instanceof Paragraph paragraph) {
        for (String line : lines(paragraph)) {
          String s = line.strip();
          if (s.toLowerCase(Locale.ROOT).startsWith("evidence:")) {
            testimony.evidence.addAll(commaSeparated(s.substring(9)));
          } else if (!s.isEmpty()) {
            testimony.statement.append(testimony.statement.length() == 0 ? "" : " ").append(s);
          }
        }
      } else {
        String s = joined(block, " ");
        if (!s.isEmpty()) {
          testimony.statement.append(testimony.statement.length() == 0 ? "" : " ").append(s);
        }
      }
    }

    private void endTestimony() {
      if (testimony != null) {
        testimonies.add(testimony.toTestimony());
        testimony = null;
      }
    }

    /** The items of a list, each its Markdown on one line; a paragraph is one item. */
    private List<String> items(Node block) {
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
    private List<String> lines(Node node) {
      List<String> lines = new ArrayList<>();
      for (SourceSpan span : node.getSourceSpans()) {
        lines.add(
            markdown.substring(span.getInputIndex(), span.getInputIndex() + span.getLength()));
      }
      return lines;
    }

    /** {@code node}'s source lines, stripped and joined with {@code separator}. */
    private String joined(Node node, String separator) {
      List<String> lines = new ArrayList<>();
      for (String line : lines(node)) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
      return String.join(separator, lines);
    }

    /** {@code node}'s Markdown as written, from its first character to its last. */
    private String raw(Node node) {
      List<SourceSpan> spans = node.getSourceSpans();
      if (spans.isEmpty()) {
        return "";
      }
      SourceSpan first = spans.get(0);
      SourceSpan last = spans.get(spans.size() - 1);
      return markdown.substring(first.getInputIndex(), last.getInputIndex() + last.getLength());
    }

    /** A heading's text as written, without inline HTML such as {@code <a name="x"/>}. */
    private String headingText(Heading heading) {
      StringBuilder text = new StringBuilder();
      for (Node inline = heading.getFirstChild(); inline != null; inline = inline.getNext()) {
        if (!(inline instanceof HtmlInline)) {
          text.append(raw(inline));
        }
      }
      return text.toString().strip();
    }
  }

  /** A testimony being read: its heading and the lines after it. */
  private static final class Testimony {
    private final String who;
    private final String role;
    private final String given;
    private final StringBuilder statement = new StringBuilder();
    private final List<String> evidence = new ArrayList<>();

    Testimony(String head) {
      // the pattern backtracks in cubic time on long runs of spaces: a heading longer than a
      // "who (role), given when" line is all who
      Matcher m = TESTIMONY_HEAD.matcher(head);
      boolean matched = head.length() <= MAX_TESTIMONY_HEAD && m.matches();
      who = matched ? m.group(1).strip() : head;
      role = matched && m.group(2) != null ? m.group(2).strip() : "";
      given = matched && m.group(3) != null ? m.group(3).strip() : "";
    }

    Postmortem.Testimony toTestimony() {
      return new Postmortem.Testimony(
          who, role, given, statement.toString(), List.copyOf(evidence));
    }
  }

  /**
   * A status as written, as one of {@link Postmortem#STATUSES}: itself, or by its first word
   * ({@code complete}, {@code completed}, {@code done}, {@code final} are final; {@code review} is
   * in-review); draft otherwise.
   */
  static String status(String written) {
    String s = written.strip().toLowerCase(Locale.ROOT);
    if (Postmortem.STATUSES.contains(s)) {
      return s;
    }
    String first = s.split("[^a-z-]+", 2)[0];
    return switch (first) {
      case "final", "complete", "completed", "done", "closed" -> "final";
      case "review", "reviewing", "in-review" -> "in-review";
      default -> s.startsWith("in review") ? "in-review" : "draft";
    };
  }

  private static String normalise(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", "").strip();
  }

  private static List<String> commaSeparated(String text) {
    List<String> values = new ArrayList<>();
    for (String value : text.split(",")) {
      if (!value.isBlank()) {
        values.add(value.strip());
      }
    }
    return values;
  }

  private static String cell(List<String> header, List<String> cells, String... names) {
    for (int i = 0; i < header.size() && i < cells.size(); i++) {
      for (String name : names) {
        if (header.get(i).startsWith(name)) {
          return cells.get(i);
        }
      }
    }
    return "";
  }

  private static List<Postmortem.Finding> findings(List<String> items) {
    return items.stream()
        .map(item -> new Postmortem.Finding(stripEvidence(item), evidence(item)))
        .toList();
  }

  private static List<String> evidence(String text) {
    Matcher m = EVIDENCE.matcher(text);
    List<String> ids = new ArrayList<>();
    while (m.find()) {
      ids.addAll(commaSeparated(m.group(1)));
    }
    return ids;
  }

  private static String stripEvidence(String text) {
    return EVIDENCE.matcher(text).replaceAll("").strip();
  }
}
