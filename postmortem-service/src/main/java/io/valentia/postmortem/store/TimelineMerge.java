package io.valentia.postmortem.store;

import io.valentia.postmortem.documents.Postmortem.TimelineEdit;
import io.valentia.postmortem.documents.Postmortem.TimelineEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How a revised timeline is taken in. An entry is the same as an earlier one when it carries that
 * entry's id or, without an id, cites the same (non-empty) evidence. Such an entry keeps the
 * earlier time when it rests on evidence (the events say when it happened); every change to it is
 * recorded as an edit (who, when, which field, the value before and after): its text, an
 * annotation's time, the evidence it cites. The trail itself cannot be rewritten: a revision's
 * {@code edits} of a known entry are ignored, and a new entry starts with none. New entries get the
 * next free id and their author. Stateless.
 */
public final class TimelineMerge {
  private TimelineMerge() {}

  /**
   * The timeline to store when {@code author} proposes {@code proposed} over {@code previous} at
   * {@code at}, as a revision: a new entry is added by {@code author} with no edits, whatever the
   * proposal says.
   */
  public static List<TimelineEntry> merge(
      List<TimelineEntry> previous, List<TimelineEntry> proposed, String author, Instant at) {
    return merge(previous, proposed, author, at, false);
  }

  /**
   * The timeline of a document created or imported by {@code author} at {@code at}: the entries'
   * own authors ({@code evidence} for drafted ones) and edits are kept, ids are assigned.
   */
  public static List<TimelineEntry> imported(
      List<TimelineEntry> proposed, String author, Instant at) {
    return merge(List.of(), proposed, author, at, true);
  }

  private static List<TimelineEntry> merge(
      List<TimelineEntry> previous,
      List<TimelineEntry> proposed,
      String author,
      Instant at,
      boolean imported) {
    int next = previous.stream().mapToInt(TimelineMerge::number).max().orElse(0) + 1;
    for (TimelineEntry entry : proposed) {
      next = Math.max(next, number(entry) + 1);
    }
    List<TimelineEntry> merged = new ArrayList<>(proposed.size());
    List<TimelineEntry> unmatched = new ArrayList<>(previous);
    for (TimelineEntry entry : proposed) {
      TimelineEntry old = match(unmatched, entry);
      if (old == null) {
        String id = entry.id().isEmpty() ? "t" + next++ : entry.id();
        String by = entry.addedBy().isEmpty() || !imported ? author : entry.addedBy();
        List<TimelineEdit> trail = imported ? entry.edits() : List.of();
        merged.add(new TimelineEntry(id, entry.time(), entry.text(), entry.evidence(), by, trail));
        continue;
      }
      unmatched.remove(old);
      String time = old.evidence().isEmpty() ? entry.time() : old.time();
      List<TimelineEdit> edits = new ArrayList<>(old.edits());
      String when = at.toString();
      if (!old.time().equals(time)) {
        edits.add(new TimelineEdit(author, when, "time", old.time(), time));
      }
      if (!old.text().equals(entry.text())) {
        edits.add(new TimelineEdit(author, when, "text", old.text(), entry.text()));
      }
      if (!old.evidence().equals(entry.evidence())) {
        edits.add(
            new TimelineEdit(
                author,
                when,
                "evidence",
                String.join(", ", old.evidence()),
                String.join(", ", entry.evidence())));
      }
      merged.add(
          new TimelineEntry(
              old.id(), time, entry.text(), entry.evidence(), old.addedBy(), List.copyOf(edits)));
    }
    return merged;
  }

  private static TimelineEntry match(List<TimelineEntry> candidates, TimelineEntry entry) {
    for (TimelineEntry old : candidates) {
      if (!entry.id().isEmpty() && entry.id().equals(old.id())) {
        return old;
      }
    }
    if (entry.id().isEmpty() && !entry.evidence().isEmpty()) {
      for (TimelineEntry old : candidates) {
        if (old.evidence().equals(entry.evidence())) {
          return old;
        }
      }
    }
    return null;
  }

  private static int number(TimelineEntry entry) {
    String id = entry.id();
    if (id.length() > 1 && id.charAt(0) == 't') {
      try {
        return Integer.parseInt(id.substring(1));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }
}
