package io.valentia.postmortem.incidents;

import java.util.ArrayList;
import java.util.List;

/**
 * The aggregate of one subject's burst events (dropped frames or KILL denials) in one sliding
 * window: every event in the window, in the order they were added, and the event added last (the
 * one whose arrival produced this version of the window). Keeps at most {@link #MAX_ENTRIES}
 * entries, dropping the oldest. Immutable.
 *
 * @param entries the events in the window, in the order they were added
 * @param last the event added last, as CloudEvents JSON; null for the empty aggregate
 */
record BurstCount(List<Entry> entries, String last) {
  /** More entries than any sane threshold needs within one window. */
  static final int MAX_ENTRIES = 10_000;

  /**
   * One event of the window.
   *
   * @param time its event time, epoch milliseconds
   * @param id its id
   * @param count what it counts for (1 per frame burst; the denial count of a KILL denial)
   */
  record Entry(long time, String id, int count) {}

  BurstCount {
    entries = entries == null ? List.of() : List.copyOf(entries);
  }

  static BurstCount empty() {
    return new BurstCount(List.of(), null);
  }

  /** This window with one more event. */
  BurstCount add(long time, String id, int count, String json) {
    List<Entry> more = new ArrayList<>(entries);
    more.add(new Entry(time, id, count));
    if (more.size() > MAX_ENTRIES) {
      more.subList(0, more.size() - MAX_ENTRIES).clear();
    }
    return new BurstCount(more, json);
  }

  /** Whether the event added last is the one the window ends at (its own sliding window). */
  boolean endsWithLatest(long windowEnd) {
    return !entries.isEmpty() && entries.get(entries.size() - 1).time() == windowEnd;
  }

  /** The entry added last. */
  Entry latest() {
    return entries.get(entries.size() - 1);
  }
}
