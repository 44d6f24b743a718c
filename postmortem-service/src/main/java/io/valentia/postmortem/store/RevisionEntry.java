package io.valentia.postmortem.store;

import java.time.Instant;
import java.util.List;

/**
 * One revision as the history lists it: who made it, when, and which sections it changed (not their
 * values; the document as of the revision is {@link RevisionIndex#document}).
 *
 * @param note why; null when not given
 * @param eventId the id of the event that carried it
 */
public record RevisionEntry(
    int revision,
    String author,
    Instant time,
    String action,
    String status,
    List<String> sections,
    String note,
    String eventId) {

  static RevisionEntry of(PostmortemRevision r) {
    return new RevisionEntry(
        r.revision(),
        r.author(),
        r.time(),
        r.action(),
        r.status(),
        r.sections(),
        r.note(),
        r.eventId());
  }
}
