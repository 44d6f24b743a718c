package io.valentia.postmortem.documents;

import java.util.List;

/**
 * One postmortem: the SRE-book sections and the inquiry's testimonies, findings and
 * recommendations. Sections a writer left empty are empty strings or lists, never null.
 *
 * @param title the title
 * @param status {@code draft}, {@code in-review} or {@code final}
 * @param incidentId the incident it reviews; empty when none
 * @param date when it was written, as written (e.g. {@code 2015-10-21}); empty when not given
 * @param authors who wrote it, in the order given
 * @param summary what happened, in a paragraph
 * @param impact who and what was affected, for how long
 * @param trigger what set it off
 * @param detection how it was noticed
 * @param resolution what ended it
 * @param contributingFactors the conditions that together made it possible (no single root cause)
 * @param actionItems what will change, each with an owner, due date and status
 * @param wentWell lessons: what went well
 * @param wentWrong lessons: what went wrong
 * @param gotLucky lessons: where we got lucky
 * @param timeline what happened when, drafted from the evidence and annotated
 * @param testimonies what the people involved said
 * @param findings what the review concluded, each citing evidence
 * @param recommendations what the review recommends
 * @param supportingInformation links and notes that back it up (the template's Supporting
 *     information)
 */
public record Postmortem(
    String title,
    String status,
    String incidentId,
    String date,
    List<String> authors,
    String summary,
    String impact,
    String trigger,
    String detection,
    String resolution,
    List<String> contributingFactors,
    List<ActionItem> actionItems,
    List<String> wentWell,
    List<String> wentWrong,
    List<String> gotLucky,
    List<TimelineEntry> timeline,
    List<Testimony> testimonies,
    List<Finding> findings,
    List<String> recommendations,
    List<String> supportingInformation) {

  public static final List<String> STATUSES = List.of("draft", "in-review", "final");

  public Postmortem {
    title = text(title);
    status = status == null || status.isBlank() ? "draft" : status;
    incidentId = text(incidentId);
    date = text(date);
    authors = list(authors);
    summary = text(summary);
    impact = text(impact);
    trigger = text(trigger);
    detection = text(detection);
    resolution = text(resolution);
    contributingFactors = list(contributingFactors);
    actionItems = list(actionItems);
    wentWell = list(wentWell);
    wentWrong = list(wentWrong);
    gotLucky = list(gotLucky);
    timeline = list(timeline);
    testimonies = list(testimonies);
    findings = list(findings);
    recommendations = list(recommendations);
    supportingInformation = list(supportingInformation);
  }

  /** This postmortem with {@code timeline} in place of its own. */
  public Postmortem withTimeline(List<TimelineEntry> timeline) {
    return new Postmortem(
        title,
        status,
        incidentId,
        date,
        authors,
        summary,
        impact,
        trigger,
        detection,
        resolution,
        contributingFactors,
        actionItems,
        wentWell,
        wentWrong,
        gotLucky,
        timeline,
        testimonies,
        findings,
        recommendations,
        supportingInformation);
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }

  private static <T> List<T> list(List<T> value) {
    return value == null ? List.of() : List.copyOf(value);
  }

  /**
   * @param action what will be done
   * @param type what kind of item it is, e.g. {@code mitigate}, {@code prevent}, {@code process};
   *     empty when not given
   * @param owner who owns it
   * @param due when it is due (as written, e.g. {@code 2026-12-15})
   * @param status e.g. {@code open}, {@code done}
   * @param bug the bug or ticket that tracks it, as written (e.g. the SRE book's example column
   *     holds {@code Bug 5554823 **TODO**}: its number and its status); empty when none
   */
  public record ActionItem(
      String action, String type, String owner, String due, String status, String bug) {
    public ActionItem {
      action = Postmortem.text(action);
      type = Postmortem.text(type);
      owner = Postmortem.text(owner);
      due = Postmortem.text(due);
      status = Postmortem.text(status);
      bug = Postmortem.text(bug);
    }
  }

  /**
   * One line of the timeline. Entries drafted from the evidence cite their events and keep the time
   * of the evidence: an edit changes the text and is recorded in {@code edits}, never the time.
   *
   * @param id the entry's id within the postmortem ({@code t1}, {@code t2}, ...); empty until the
   *     store assigns one
   * @param time when it happened, as written (an ISO-8601 instant or {@code HH:MM[:SS]} in UTC)
   * @param text what happened
   * @param evidence ids of the events it rests on; empty for an annotation
   * @param addedBy who added it; {@code evidence} for an entry drafted from the events, empty when
   *     not known
   * @param edits every change to the entry after it was added, oldest first
   */
  public record TimelineEntry(
      String id,
      String time,
      String text,
      List<String> evidence,
      String addedBy,
      List<TimelineEdit> edits) {
    public TimelineEntry {
      id = Postmortem.text(id);
      time = Postmortem.text(time);
      text = Postmortem.text(text);
      evidence = Postmortem.list(evidence);
      addedBy = Postmortem.text(addedBy);
      edits = Postmortem.list(edits);
    }

    /** An entry as written in a document: no id, author or edits yet. */
    public TimelineEntry(String time, String text, List<String> evidence) {
      this("", time, text, evidence, "", List.of());
    }
  }

  /**
   * One change to a timeline entry.
   *
   * @param by who made it
   * @param at when (ISO-8601 instant)
   * @param field what changed: {@code text}, {@code time} (an annotation's time; an entry resting
   *     on evidence keeps the time of its events) or {@code evidence} (the cited ids,
   *     comma-separated in {@code before} and {@code after}); {@code text} when not given (edits
   *     stored before the field existed changed the text)
   * @param before the value before
   * @param after the value after
   */
  public record TimelineEdit(String by, String at, String field, String before, String after) {
    public TimelineEdit {
      by = Postmortem.text(by);
      at = Postmortem.text(at);
      field = field == null || field.isBlank() ? "text" : field;
      before = Postmortem.text(before);
      after = Postmortem.text(after);
    }

    /** A change of the entry's text. */
    public TimelineEdit(String by, String at, String before, String after) {
      this(by, at, "text", before, after);
    }
  }

  /**
   * @param who who gave it
   * @param role their role at the time
   * @param given when it was given
   * @param statement what they said
   * @param evidence ids of the events it cites
   */
  public record Testimony(
      String who, String role, String given, String statement, List<String> evidence) {
    public Testimony {
      who = Postmortem.text(who);
      role = Postmortem.text(role);
      given = Postmortem.text(given);
      statement = Postmortem.text(statement);
      evidence = Postmortem.list(evidence);
    }
  }

  /**
   * @param text the finding
   * @param evidence ids of the events it cites
   */
  public record Finding(String text, List<String> evidence) {
    public Finding {
      text = Postmortem.text(text);
      evidence = Postmortem.list(evidence);
    }
  }
}
