package io.valentia.postmortem.store;

import io.valentia.postmortem.documents.Postmortem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Every revision of one postmortem, in order, and the document each one gives. Immutable: {@link
 * #append} returns a new history.
 */
public final class PostmortemHistory {
  private final String id;
  private final List<PostmortemRevision> revisions;
  private final List<Postmortem> documents;

  private PostmortemHistory(
      String id, List<PostmortemRevision> revisions, List<Postmortem> documents) {
    this.id = id;
    this.revisions = revisions;
    this.documents = documents;
  }

  /** A history that starts with {@code first} (revision 1). */
  static PostmortemHistory start(PostmortemRevision first) {
    return new PostmortemHistory(first.postmortemId(), List.of(), List.of()).append(first);
  }

  /** This history with {@code next} (revision {@link #revision()} + 1) appended. */
  PostmortemHistory append(PostmortemRevision next) {
    if (next.revision() != revisions.size() + 1) {
      throw new IllegalArgumentException(
          "revision " + next.revision() + " does not follow " + revisions.size());
    }
    Postmortem base = documents.isEmpty() ? PostmortemSections.EMPTY : current();
    List<PostmortemRevision> r = new ArrayList<>(revisions);
    r.add(next);
    List<Postmortem> d = new ArrayList<>(documents);
    d.add(PostmortemSections.apply(base, next.changes(), next.status()));
    return new PostmortemHistory(id, List.copyOf(r), List.copyOf(d));
  }

  public String id() {
    return id;
  }

  /** The latest revision's number. */
  public int revision() {
    return revisions.size();
  }

  /** The document as of the latest revision. */
  public Postmortem current() {
    return documents.get(documents.size() - 1);
  }

  /**
   * The document as of {@code revision}.
   *
   * @throws PostmortemNotFoundException when there is no such revision
   */
  public Postmortem at(int revision) {
    if (revision < 1 || revision > revisions.size()) {
      throw new PostmortemNotFoundException(
          "postmortem " + id + " has revisions 1 to " + revisions.size() + ", not " + revision);
    }
    return documents.get(revision - 1);
  }

  /** Every revision, oldest first. */
  public List<PostmortemRevision> revisions() {
    return revisions;
  }

  public PostmortemRevision latest() {
    return revisions.get(revisions.size() - 1);
  }

  /** When revision 1 was made. */
  public Instant created() {
    return revisions.get(0).time();
  }

  /** Everyone who made a revision, first appearance first. */
  public List<String> authors() {
    return revisions.stream().map(PostmortemRevision::author).distinct().toList();
  }
}
