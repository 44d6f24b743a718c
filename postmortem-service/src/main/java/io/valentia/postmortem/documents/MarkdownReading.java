package io.valentia.postmortem.documents;

import static io.valentia.postmortem.documents.MarkdownPostmortem.SECTIONS;
import static io.valentia.postmortem.documents.MarkdownPostmortem.commaSeparated;
import static io.valentia.postmortem.documents.MarkdownPostmortem.evidence;
import static io.valentia.postmortem.documents.MarkdownPostmortem.findings;
import static io.valentia.postmortem.documents.MarkdownPostmortem.normalise;
import static io.valentia.postmortem.documents.MarkdownPostmortem.status;
import static io.valentia.postmortem.documents.MarkdownPostmortem.stripEvidence;

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
import org.commonmark.node.ListBlock;
import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/**
 * One postmortem being read from Markdown ({@link MarkdownPostmortem#parse}): the parsed tree
 * walked block by block, and the fields found so far. One instance per document, not thread-safe.
 */
final class MarkdownReading {
  private static final Parser PARSER =
      Parser.builder()
          .extensions(List.of(TablesExtension.create()))
          .includeSourceSpans(IncludeSourceSpans.BLOCKS_AND_INLINES)
          .build();

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

  private final String markdown;
  private final MarkdownSource source;
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

  MarkdownReading(String markdown) {
    this.markdown = markdown;
    this.source = new MarkdownSource(markdown);
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
    String text = source.headingText(heading);
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
        labelledLines(source.lines(paragraph));
      }
      return;
    }
    switch (section) {
      case "", "lessons" -> {}
      case "date" -> date = source.joined(block, " ");
      case "status" -> status = source.joined(block, " ");
      case "incident" -> incident = source.joined(block, " ");
      case "authors" -> authors(block);
      case "summary", "impact", "trigger", "detection", "resolution" -> appendProse(block);
      case "actionItems" -> {
        if (block instanceof TableBlock table) {
          actionItems(table);
        }
      }
      case "timeline" -> timeline(block);
      case "testimonies" -> testimonyBlock(block);
      default -> lists.get(section).addAll(source.items(block));
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
    text.append(text.length() == 0 ? "" : "\n\n").append(source.raw(block));
  }

  private String prose(String field) {
    return prose.get(field).toString().strip();
  }

  private void authors(Node block) {
    if (block instanceof ListBlock) {
      authors.addAll(source.items(block));
    } else {
      authors.addAll(commaSeparated(source.joined(block, " ")));
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
            cells.add(source.raw(cell).strip().replace("\\|", "|"));
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
      entries = source.items(block);
    } else if (block instanceof Paragraph paragraph) {
      entries = new ArrayList<>();
      for (String line : source.lines(paragraph)) {
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
      for (String line : source.lines(paragraph)) {
        String s = line.strip();
        if (s.toLowerCase(Locale.ROOT).startsWith("evidence:")) {
          testimony.evidence.addAll(commaSeparated(s.substring(9)));
        } else if (!s.isEmpty()) {
          testimony.statement.append(testimony.statement.length() == 0 ? "" : " ").append(s);
        }
      }
    } else {
      String s = source.joined(block, " ");
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
}
