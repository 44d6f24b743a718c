package io.valentia.postmortem.documents;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 *
 * <p>This class is the format: its vocabulary (section names, statuses, citations) and the writing;
 * the reading, a walk over the CommonMark tree, is {@link MarkdownReading}.
 */
public final class MarkdownPostmortem {
  /** A citation; ids hold no bracket, so each try ends at the next one (linear in the text). */
  private static final Pattern EVIDENCE =
      Pattern.compile("\\[evidence:\\s*+([^\\[\\]]*+)\\]", Pattern.CASE_INSENSITIVE);

  /** Section names, normalised, to the field they fill. */
  static final Map<String, String> SECTIONS =
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
    return new MarkdownReading(markdown).read();
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

  static String normalise(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", "").strip();
  }

  static List<String> commaSeparated(String text) {
    List<String> values = new ArrayList<>();
    for (String value : text.split(",")) {
      if (!value.isBlank()) {
        values.add(value.strip());
      }
    }
    return values;
  }

  static List<Postmortem.Finding> findings(List<String> items) {
    return items.stream()
        .map(item -> new Postmortem.Finding(stripEvidence(item), evidence(item)))
        .toList();
  }

  static List<String> evidence(String text) {
    Matcher m = EVIDENCE.matcher(text);
    List<String> ids = new ArrayList<>();
    while (m.find()) {
      ids.addAll(commaSeparated(m.group(1)));
    }
    return ids;
  }

  static String stripEvidence(String text) {
    return EVIDENCE.matcher(text).replaceAll("").strip();
  }
}
