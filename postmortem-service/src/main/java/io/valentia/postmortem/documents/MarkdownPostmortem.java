package io.valentia.postmortem.documents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes postmortems in the SRE-book Markdown template: a {@code # Title}, an optional
 * {@code Status:} and {@code Incident:} line, then {@code ##} sections named Summary, Impact,
 * Trigger, Detection, Resolution, Contributing Factors (or Root Causes), Action Items (a table:
 * action, type or owner columns, owner, due, status), Lessons Learned (with {@code ###} What went
 * well / What went wrong / Where we got lucky), Timeline (list items {@code - TIME text}),
 * Testimonies ({@code ### Who (role), given TIME} then the statement, an {@code Evidence:} line),
 * Findings and Recommendations (list items; {@code [evidence: id, id]} cites events). Unknown
 * sections are ignored.
 */
public final class MarkdownPostmortem {
  private static final Pattern EVIDENCE =
      Pattern.compile("\\[evidence:\\s*([^\\]]*)\\]", Pattern.CASE_INSENSITIVE);
  private static final Pattern TESTIMONY_HEAD =
      Pattern.compile("^(.+?)\\s*(?:\\(([^)]*)\\))?\\s*(?:,\\s*given\\s+(.+))?$");
  private static final Pattern TIMELINE_ITEM =
      Pattern.compile(
          "^(?:\\*\\*)?(\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z|\\d{1,2}:\\d{2}(?::\\d{2})?)(?:\\*\\*)?\\s*[-–:]?\\s*(.*)$");

  private MarkdownPostmortem() {}

  /** Parses {@code markdown}; what it lacks stays empty. */
  public static Postmortem parse(String markdown) {
    String title = "";
    String status = "draft";
    String incident = "";
    Map<String, List<String>> sections = new LinkedHashMap<>();
    String section = "";
    String subsection = "";
    for (String raw : markdown.split("\r?\n")) {
      String line = raw.stripTrailing();
      if (line.startsWith("# ")) {
        title = line.substring(2).strip();
      } else if (line.startsWith("## ")) {
        section = normalise(line.substring(3));
        subsection = "";
        sections.putIfAbsent(section, new ArrayList<>());
      } else if (line.startsWith("### ") && !section.equals("testimonies")) {
        subsection = normalise(line.substring(4));
        sections.putIfAbsent(section + "/" + subsection, new ArrayList<>());
      } else if (section.isEmpty() && line.toLowerCase(Locale.ROOT).startsWith("status:")) {
        status = line.substring(7).strip().toLowerCase(Locale.ROOT);
      } else if (section.isEmpty() && line.toLowerCase(Locale.ROOT).startsWith("incident:")) {
        incident = line.substring(9).strip();
      } else {
        String key = subsection.isEmpty() ? section : section + "/" + subsection;
        sections.computeIfAbsent(key, k -> new ArrayList<>()).add(line);
      }
    }
    return new Postmortem(
        title,
        status,
        incident,
        prose(sections, "summary"),
        prose(sections, "impact"),
        prose(sections, "trigger"),
        prose(sections, "detection"),
        prose(sections, "resolution"),
        items(first(sections, "contributing factors", "root causes")),
        actionItems(sections.getOrDefault("action items", List.of())),
        items(first(sections, "lessons learned/what went well")),
        items(first(sections, "lessons learned/what went wrong")),
        items(first(sections, "lessons learned/where we got lucky")),
        timeline(sections.getOrDefault("timeline", List.of())),
        testimonies(sections.getOrDefault("testimonies", List.of())),
        findings(sections.getOrDefault("findings", List.of())),
        items(sections.getOrDefault("recommendations", List.of())));
  }

  /** Writes {@code postmortem} in the template {@link #parse} reads. */
  public static String render(Postmortem p) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(p.title()).append("\n\n");
    md.append("Status: ").append(p.status()).append('\n');
    if (!p.incidentId().isEmpty()) {
      md.append("Incident: ").append(p.incidentId()).append('\n');
    }
    prose(md, "Summary", p.summary());
    prose(md, "Impact", p.impact());
    prose(md, "Trigger", p.trigger());
    prose(md, "Detection", p.detection());
    prose(md, "Resolution", p.resolution());
    list(md, "## Contributing Factors", p.contributingFactors());
    md.append("\n## Action Items\n\n| Action | Owner | Due | Status |\n|---|---|---|---|\n");
    for (Postmortem.ActionItem item : p.actionItems()) {
      md.append("| ")
          .append(String.join(" | ", item.action(), item.owner(), item.due(), item.status()))
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
      md.append("- ").append(f.text());
      cite(md, f.evidence());
      md.append('\n');
    }
    list(md, "## Recommendations", p.recommendations());
    return md.toString();
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

  private static String normalise(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", "").strip();
  }

  private static List<String> first(Map<String, List<String>> sections, String... names) {
    for (String name : names) {
      if (sections.containsKey(name)) {
        return sections.get(name);
      }
    }
    return List.of();
  }

  private static String prose(Map<String, List<String>> sections, String name) {
    return String.join("\n", sections.getOrDefault(name, List.of())).strip();
  }

  private static List<String> items(List<String> lines) {
    List<String> items = new ArrayList<>();
    for (String line : lines) {
      String s = line.strip();
      if (s.startsWith("- ") || s.startsWith("* ")) {
        items.add(s.substring(2).strip());
      } else if (s.matches("\\d+\\.\\s.*")) {
        items.add(s.substring(s.indexOf('.') + 1).strip());
      } else if (!s.isEmpty() && !items.isEmpty()) {
        items.set(items.size() - 1, items.get(items.size() - 1) + " " + s);
      } else if (!s.isEmpty()) {
        items.add(s);
      }
    }
    return items;
  }

  private static List<Postmortem.ActionItem> actionItems(List<String> lines) {
    List<Postmortem.ActionItem> items = new ArrayList<>();
    List<String> header = null;
    for (String line : lines) {
      String s = line.strip();
      if (!s.startsWith("|")) {
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String cell :
          s.substring(1, s.endsWith("|") ? s.length() - 1 : s.length()).split("\\|")) {
        cells.add(cell.strip());
      }
      if (header == null) {
        header = cells.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        continue;
      }
      if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
        continue;
      }
      items.add(
          new Postmortem.ActionItem(
              cell(header, cells, "action"),
              cell(header, cells, "owner"),
              cell(header, cells, "due"),
              cell(header, cells, "status")));
    }
    return items;
  }

  private static String cell(List<String> header, List<String> cells, String name) {
    for (int i = 0; i < header.size() && i < cells.size(); i++) {
      if (header.get(i).startsWith(name)) {
        return cells.get(i);
      }
    }
    return "";
  }

  private static List<Postmortem.TimelineEntry> timeline(List<String> lines) {
    List<Postmortem.TimelineEntry> entries = new ArrayList<>();
    for (String item : items(lines)) {
      Matcher m = TIMELINE_ITEM.matcher(item);
      String time = m.matches() ? m.group(1) : "";
      String text = m.matches() ? m.group(2) : item;
      entries.add(new Postmortem.TimelineEntry(time, stripEvidence(text), evidence(text)));
    }
    return entries;
  }

  private static List<Postmortem.Testimony> testimonies(List<String> lines) {
    List<Postmortem.Testimony> testimonies = new ArrayList<>();
    String[] head = null;
    StringBuilder statement = new StringBuilder();
    List<String> evidence = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("### ")) {
        addTestimony(testimonies, head, statement, evidence);
        Matcher m = TESTIMONY_HEAD.matcher(line.substring(4).strip());
        m.matches();
        head =
            new String[] {
              m.group(1).strip(),
              m.group(2) == null ? "" : m.group(2).strip(),
              m.group(3) == null ? "" : m.group(3).strip()
            };
        statement = new StringBuilder();
        evidence = new ArrayList<>();
      } else if (line.strip().toLowerCase(Locale.ROOT).startsWith("evidence:")) {
        for (String id : line.strip().substring(9).split(",")) {
          if (!id.isBlank()) {
            evidence.add(id.strip());
          }
        }
      } else if (head != null && !line.isBlank()) {
        statement.append(statement.length() == 0 ? "" : " ").append(line.strip());
      }
    }
    addTestimony(testimonies, head, statement, evidence);
    return testimonies;
  }

  private static void addTestimony(
      List<Postmortem.Testimony> testimonies,
      String[] head,
      StringBuilder statement,
      List<String> evidence) {
    if (head != null) {
      testimonies.add(
          new Postmortem.Testimony(
              head[0], head[1], head[2], statement.toString(), List.copyOf(evidence)));
    }
  }

  private static List<Postmortem.Finding> findings(List<String> lines) {
    return items(lines).stream()
        .map(item -> new Postmortem.Finding(stripEvidence(item), evidence(item)))
        .toList();
  }

  private static List<String> evidence(String text) {
    Matcher m = EVIDENCE.matcher(text);
    List<String> ids = new ArrayList<>();
    while (m.find()) {
      for (String id : m.group(1).split(",")) {
        if (!id.isBlank()) {
          ids.add(id.strip());
        }
      }
    }
    return ids;
  }

  private static String stripEvidence(String text) {
    return EVIDENCE.matcher(text).replaceAll("").strip();
  }
}
