package io.valentia.postmortem.store;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.PostmortemRevised;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How the log decides: a revision event is taken when it is the next number of its postmortem, a
 * repeat of a taken event changes nothing, and any other revision (two writers based on the same
 * revision) is rejected. Every reader folds the log in the same order with this one rule, so every
 * reader decides the same.
 */
public final class PostmortemFold {
  private PostmortemFold() {}

  /** What the log made of one event. */
  public sealed interface Outcome {}

  /** The event is the postmortem's next revision; {@code head} is the postmortem after it. */
  public record Applied(PostmortemHead head, PostmortemRevision revision) implements Outcome {}

  /** The event was taken before; {@code head} is the postmortem now. */
  public record Repeat(PostmortemHead head) implements Outcome {}

  /** The event is not taken, for {@code reason}. */
  public record Rejected(RuntimeException reason) implements Outcome {}

  /** The event is not a postmortem revision. */
  public record Ignored() implements Outcome {}

  /**
   * Decides {@code event} against the head its postmortem had before it.
   *
   * @param heads a postmortem's head before this event, as the caller's fold has it
   * @param takenEventId the id of the event that carried revision N of a postmortem, if known
   *     (asked only for an event whose number is not the next one, to tell a repeat from a
   *     conflict)
   */
  public static Outcome decide(
      CloudEvent event,
      Function<String, Optional<PostmortemHead>> heads,
      BiFunction<String, Integer, Optional<String>> takenEventId) {
    PostmortemRevised revised;
    try {
      revised = EventCodec.instance().payload(event, PostmortemRevised.class);
    } catch (RuntimeException e) {
      return new Ignored();
    }
    String id = revised.postmortemId();
    Optional<PostmortemHead> current = heads.apply(id);
    int latest = current.map(PostmortemHead::revision).orElse(0);
    if (revised.revision() != latest + 1) {
      if (revised.revision() >= 1
          && revised.revision() <= latest
          && (current.get().eventId().equals(event.id())
              || takenEventId
                  .apply(id, revised.revision())
                  .map(event.id()::equals)
                  .orElse(false))) {
        return new Repeat(current.get());
      }
      return new Rejected(new RevisionConflictException(id, revised.revision() - 1, latest));
    }
    PostmortemRevision revision =
        new PostmortemRevision(
            id,
            revised.revision(),
            revised.author(),
            event.time() == null ? Instant.now() : event.time(),
            revised.action(),
            revised.status(),
            revised.changes(),
            revised.note(),
            event.id());
    try {
      PostmortemHead head =
          current.isEmpty() ? PostmortemHead.first(revision) : current.get().next(revision);
      return new Applied(head, revision);
    } catch (InvalidPostmortemException e) {
      return new Rejected(e);
    }
  }
}
