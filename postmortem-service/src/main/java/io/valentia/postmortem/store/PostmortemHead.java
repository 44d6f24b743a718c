package io.valentia.postmortem.store;

import io.valentia.postmortem.documents.Postmortem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What is true of a postmortem now: its latest revision's number and document, and what the API
 * shows beside them. One per postmortem in {@code valentia.state.postmortems} (keyed by the id),
 * written by the process that applies revisions; the revisions themselves stay on the log and on
 * disk ({@link RevisionIndex}).
 *
 * @param id the postmortem's id
 * @param revision the latest revision's number, from 1
 * @param document the document as of that revision
 * @param created when revision 1 was made
 * @param updated when the latest revision was made
 * @param authors everyone who made a revision, first appearance first
 * @param eventId the id of the event that carried the latest revision
 */
public record PostmortemHead(
    String id,
    int revision,
    Postmortem document,
    Instant created,
    Instant updated,
    List<String> authors,
    String eventId) {

  public PostmortemHead {
    authors = List.copyOf(authors);
  }

  /**
   * The head that revision {@code first} (number 1) starts.
   *
   * @throws InvalidPostmortemException when its changes do not make a valid document
   */
  static PostmortemHead first(PostmortemRevision first) {
    return new PostmortemHead(
        first.postmortemId(),
        1,
        PostmortemSections.apply(PostmortemSections.EMPTY, first.changes(), first.status()),
        first.time(),
        first.time(),
        List.of(first.author()),
        first.eventId());
  }

  /**
   * This head with {@code next} (revision {@link #revision()} + 1) applied.
   *
   * @throws IllegalArgumentException when {@code next} does not follow
   * @throws InvalidPostmortemException when its changes do not fit
   */
  PostmortemHead next(PostmortemRevision next) {
    if (next.revision() != revision + 1) {
      throw new IllegalArgumentException(
          "revision " + next.revision() + " does not follow " + revision);
    }
    List<String> all = new ArrayList<>(authors);
    if (!all.contains(next.author())) {
      all.add(next.author());
    }
    return new PostmortemHead(
        id,
        next.revision(),
        PostmortemSections.apply(document, next.changes(), next.status()),
        created,
        next.time(),
        all,
        next.eventId());
  }
}
