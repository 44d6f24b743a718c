package io.valentia.postmortem.review;

import io.valentia.postmortem.documents.Postmortem;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The blameless review of a postmortem: wording that blames people (with why and a neutral
 * rewording), a finding that names a person as the cause, a finding without evidence, and a
 * testimony that mentions a time the evidence timeline does not show. Stateless and thread-safe.
 */
public final class BlamelessReview {
  /** How far a time a testimony mentions may be from the nearest timeline entry. */
  public static final int TIME_TOLERANCE_MINUTES = 2;

  /** A name, other than a word that starts most sentences, or a personal pronoun. */
  private static final String PERSON =
      "(?:\\b(?i:he|she|they|i)\\b"
          + "|\\b(?!(?i:the|this|that|these|those|it|there|then|when|after|before|if|a|an)\\b)"
          + "\\p{Lu}\\p{Ll}+(?:\\s\\p{Lu}\\p{Ll}+)?)";

  /**
   * A person (name or pronoun) with a blaming verb ({@code Dave forgot}, {@code she failed to},
   * {@code he should have}, {@code Ana was careless}), or a person's blaming noun ({@code his
   * fault}, {@code her mistake}, {@code Dave's negligence}).
   */
  private static final String PERSON_BLAME =
      "(?:"
          + PERSON
          + "\\s+(?:(?:simply|just|also|again|clearly|obviously)\\s+)?"
          + "(?i:forgot|forgets|had forgotten|failed to|fails to|should(?: not|n't)? have"
          + "|should've|neglected|messed up|screwed up|made (?:a|the|an) (?:mistake|error|blunder)"
          + "|(?:was|is|were|are|had been) (?:careless|negligent|sloppy|reckless|at fault|to blame))"
          + "\\b)"
          + "|(?:\\b(?i:his|her|their|my|your)|\\b\\p{Lu}\\p{Ll}+'s)\\s+"
          + "(?i:fault|mistake|error|blunder|carelessness|negligence|oversight|slip)\\b";

  private static final List<Rule> RULES =
      List.of(
          new Rule(
              "human-error",
              "(?i)\\b(human|operator|user|pilot) error\\b",
              "\"human error\" ends the inquiry where it should start: it names a person, not the"
                  + " conditions that made the action reasonable at the time",
              "describe what the system allowed, e.g. \"the tool accepted a command that took"
                  + " every node down at once\""),
          new Rule(
              "fault",
              "(?i)\\b[\\p{L}-]+'s fault\\b|\\bfault of\\b|\\b(to blame|blame[ds]?)\\b",
              "assigning fault to a person invites defensiveness and hides the contributing"
                  + " factors",
              "name the condition instead: \"the change was applied without a staged rollout\""),
          new Rule(
              "hindsight",
              "(?i)\\b(should|could|would) (not |n't )?have\\b|\\bshould've\\b",
              "\"should have\" judges with knowledge nobody had at the time (hindsight bias)",
              "say what was known then: \"the dashboard did not show the queue depth, so ...\""),
          new Rule(
              "character",
              "(?i)\\b(careless(ly|ness)?|negligen(t|ce)|sloppy|lazy|incompetent|reckless(ly)?)\\b",
              "words about a person's character explain nothing about the system",
              "describe the action and its context: \"the step was skipped because the runbook"
                  + " did not list it\""),
          new Rule(
              "person-blame",
              PERSON_BLAME,
              "a sentence that makes a person the subject of a failing (\"Dave forgot\", \"her"
                  + " mistake\") puts the blame on them instead of on the conditions that made the"
                  + " slip likely",
              "make the system the subject: \"the runbook did not list the step\", \"the tool"
                  + " accepted the change without a check\""),
          new Rule(
              "failed-to",
              "(?i)\\bfail(ed|s)? to\\b",
              "\"failed to\" frames an action as a personal failure",
              "say what happened: \"did not\", \"was not\" or what the tool did instead"));

  private static final Pattern CAUSE =
      Pattern.compile("(?i)\\b(caused|triggered|broke|responsible|because of|due to|fault)\\b");
  private static final Pattern CLOCK =
      Pattern.compile("\\b(?:at|around|about|by)\\s+(\\d{1,2}:\\d{2}(?::\\d{2})?)\\b");

  /**
   * One problem the review found.
   *
   * @param rule the rule's id ({@code human-error}, {@code named-cause}, ...)
   * @param where the section, e.g. {@code summary}, {@code findings[2]}, {@code testimonies[0]}
   * @param text the words it flags
   * @param why why it matters
   * @param suggestion a neutral rewording or what to add
   */
  public record Problem(String rule, String where, String text, String why, String suggestion) {}

  private record Rule(String id, String regex, String why, String suggestion) {
    Pattern pattern() {
      return Pattern.compile(regex);
    }
  }

  /** Every problem of {@code postmortem}, in document order. */
  public List<Problem> review(Postmortem postmortem) {
    List<Problem> problems = new ArrayList<>();
    wording(problems, "title", postmortem.title());
    wording(problems, "summary", postmortem.summary());
    wording(problems, "impact", postmortem.impact());
    wording(problems, "trigger", postmortem.trigger());
    wording(problems, "detection", postmortem.detection());
    wording(problems, "resolution", postmortem.resolution());
    each(problems, "contributingFactors", postmortem.contributingFactors());
    each(problems, "wentWell", postmortem.wentWell());
    each(problems, "wentWrong", postmortem.wentWrong());
    each(problems, "gotLucky", postmortem.gotLucky());
    for (int i = 0; i < postmortem.timeline().size(); i++) {
      wording(problems, "timeline[" + i + "]", postmortem.timeline().get(i).text());
    }
    Set<String> people = people(postmortem);
    for (int i = 0; i < postmortem.findings().size(); i++) {
      Postmortem.Finding finding = postmortem.findings().get(i);
      String where = "findings[" + i + "]";
      wording(problems, where, finding.text());
      namedCause(problems, where, finding.text(), people);
      if (finding.evidence().isEmpty()) {
        problems.add(
            new Problem(
                "no-evidence",
                where,
                finding.text(),
                "a finding stands on evidence, not on opinion",
                "cite the events it rests on: [evidence: EVENT-ID, ...]"));
      }
    }
    for (int i = 0; i < postmortem.testimonies().size(); i++) {
      Postmortem.Testimony testimony = postmortem.testimonies().get(i);
      String where = "testimonies[" + i + "]";
      wording(problems, where, testimony.statement());
      contradictions(problems, where, testimony, postmortem.timeline());
    }
    each(problems, "recommendations", postmortem.recommendations());
    return problems;
  }

  private static void each(List<Problem> problems, String section, List<String> items) {
    for (int i = 0; i < items.size(); i++) {
      wording(problems, section + "[" + i + "]", items.get(i));
    }
  }

  private static void wording(List<Problem> problems, String where, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(text);
      while (m.find()) {
        problems.add(new Problem(rule.id(), where, m.group(), rule.why(), rule.suggestion()));
      }
    }
  }

  /** The people the document names: witnesses and action item owners. */
  private static Set<String> people(Postmortem postmortem) {
    Set<String> people = new LinkedHashSet<>();
    postmortem.testimonies().forEach(t -> addName(people, t.who()));
    postmortem.actionItems().forEach(a -> addName(people, a.owner()));
    return people;
  }

  private static void addName(Set<String> people, String name) {
    if (name == null || name.isBlank()) {
      return;
    }
    people.add(name.strip());
    for (String part : name.strip().split("\\s+")) {
      if (part.length() > 2) {
        people.add(part);
      }
    }
  }

  private static void namedCause(
      List<Problem> problems, String where, String text, Set<String> people) {
    if (!CAUSE.matcher(text).find()) {
      return;
    }
    for (String person : people) {
      if (Pattern.compile("\\b" + Pattern.quote(person) + "\\b").matcher(text).find()) {
        problems.add(
            new Problem(
                "named-cause",
                where,
                person,
                "a finding that names a person as the cause turns the review into a verdict;"
                    + " people act within the system the findings should describe",
                "name the role and the condition: \"the on-call engineer ran the documented"
                    + " step, which the tool applied to every node\""));
        return;
      }
    }
  }

  private static void contradictions(
      List<Problem> problems,
      String where,
      Postmortem.Testimony testimony,
      List<Postmortem.TimelineEntry> timeline) {
    List<LocalTime> known = new ArrayList<>();
    for (Postmortem.TimelineEntry entry : timeline) {
      LocalTime time = clock(entry.time());
      if (time != null) {
        known.add(time);
      }
    }
    if (known.isEmpty()) {
      return;
    }
    Matcher m = CLOCK.matcher(testimony.statement());
    while (m.find()) {
      LocalTime claimed = clock(m.group(1));
      if (claimed == null) {
        continue;
      }
      boolean shown =
          known.stream()
              .anyMatch(
                  t ->
                      Math.abs(java.time.Duration.between(t, claimed).toMinutes())
                          <= TIME_TOLERANCE_MINUTES);
      if (!shown) {
        problems.add(
            new Problem(
                "contradicts-evidence",
                where,
                m.group(),
                testimony.who()
                    + " mentions "
                    + m.group(1)
                    + " but the evidence timeline shows nothing within "
                    + TIME_TOLERANCE_MINUTES
                    + " minutes of it",
                "check the events around that time; add the evidence to the timeline or note"
                    + " the difference as a finding (memory of times is often off)"));
      }
    }
  }

  /** {@code HH:MM[:SS]} or the time of day of an ISO-8601 instant (UTC); null otherwise. */
  static LocalTime clock(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String s = text.strip();
    int t = s.indexOf('T');
    if (t > 0) {
      s = s.substring(t + 1).replace("Z", "");
    }
    if (s.length() == 4 || s.indexOf(':') == 1) {
      s = "0" + s;
    }
    try {
      return LocalTime.parse(s.length() > 8 ? s.substring(0, 8) : s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** One line for people: {@code where: [rule] "text" — why. Suggestion: ...}. */
  public static String describe(Problem p) {
    return String.format(
        Locale.ROOT,
        "%s: [%s] \"%s\" - %s. Try: %s",
        p.where(),
        p.rule(),
        p.text(),
        p.why(),
        p.suggestion());
  }
}
