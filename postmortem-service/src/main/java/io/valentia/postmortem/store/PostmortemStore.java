package io.valentia.postmortem.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.SectionChange;
import io.valentia.postmortem.documents.Postmortem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The writers' side of the postmortems: makes the revision events that {@link #create} or {@link
 * #revise} a postmortem, checked against the heads the process knows, and tells each writer what
 * the log made of its event. The log decides ({@link PostmortemFold}): a writer asks {@link
 * #whenApplied} before publishing, publishes, and learns from the future whether the log took it;
 * the reader of the log {@link #settle settles} each event it decides.
 *
 * <p>Thread-safe.
 */
public final class PostmortemStore {
  /** The source of revision events. */
  public static final String SOURCE = "/postmortem/store";

  private final Function<String, Optional<PostmortemHead>> heads;
  private final Map<String, CompletableFuture<PostmortemHead>> waiting = new ConcurrentHashMap<>();

  /**
   * @param heads the head of a postmortem, as this process knows it now
   */
  public PostmortemStore(Function<String, Optional<PostmortemHead>> heads) {
    this.heads = heads;
  }

  /** The head of postmortem {@code id}. */
  public Optional<PostmortemHead> get(String id) {
    return heads.apply(id);
  }

  /**
   * The event that creates postmortem {@code id} as {@code document}.
   *
   * @param action {@code created} or {@code imported}
   * @throws RevisionConflictException when {@code id} exists
   */
  public CloudEvent create(
      String id, Postmortem document, String author, String action, String note, Instant at) {
    Optional<PostmortemHead> existing = heads.apply(id);
    if (existing.isPresent()) {
      throw new RevisionConflictException(id, 0, existing.get().revision());
    }
    Postmortem stored =
        withTimeline(document, TimelineMerge.imported(document.timeline(), author, at));
    return event(
        new PostmortemRevised(
            id, 1, author, action, stored.status(), PostmortemSections.changes(null, stored), note),
        stored.incidentId(),
        at);
  }

  /**
   * The event that revises postmortem {@code id}, based on revision {@code expected}, with the
   * sections (and {@code status}) in {@code patch}; empty when the patch changes nothing.
   *
   * @throws PostmortemNotFoundException when there is no such postmortem
   * @throws RevisionConflictException when {@code expected} is not the latest revision
   * @throws InvalidPostmortemException when the patch does not fit
   */
  public Optional<CloudEvent> revise(
      String id, int expected, JsonNode patch, String author, String note, Instant at) {
    PostmortemHead head =
        heads.apply(id).orElseThrow(() -> new PostmortemNotFoundException("no postmortem " + id));
    if (expected != head.revision()) {
      throw new RevisionConflictException(id, expected, head.revision());
    }
    Postmortem current = head.document();
    Postmortem proposed = PostmortemSections.merge(current, patch);
    if (patch.has("timeline")) {
      proposed =
          withTimeline(
              proposed, TimelineMerge.merge(current.timeline(), proposed.timeline(), author, at));
    }
    List<SectionChange> changes = PostmortemSections.changes(current, proposed);
    boolean statusChanged = !proposed.status().equals(current.status());
    if (changes.isEmpty() && !statusChanged) {
      return Optional.empty();
    }
    String action = changes.isEmpty() ? "status-changed" : "revised";
    return Optional.of(
        event(
            new PostmortemRevised(
                id, expected + 1, author, action, proposed.status(), changes, note),
            proposed.incidentId(),
            at));
  }

  /**
   * A future completed when the event with {@code eventId} is applied (with the head it gave) or
   * rejected (with a {@link RevisionConflictException}). Ask before publishing the event.
   */
  public CompletableFuture<PostmortemHead> whenApplied(String eventId) {
    return waiting.computeIfAbsent(eventId, k -> new CompletableFuture<>());
  }

  /** Forgets a future of {@link #whenApplied} whose event was never published. */
  public void forget(String eventId) {
    waiting.remove(eventId);
  }

  /**
   * Tells the writer of {@code eventId}, if it waits in this process, what the log made of it. The
   * reader of the log calls this once the outcome is visible to this process's reads.
   */
  public void settle(String eventId, PostmortemFold.Outcome outcome) {
    CompletableFuture<PostmortemHead> future = waiting.remove(eventId);
    if (future == null) {
      return;
    }
    if (outcome instanceof PostmortemFold.Applied applied) {
      future.complete(applied.head());
    } else if (outcome instanceof PostmortemFold.Repeat repeat) {
      future.complete(repeat.head());
    } else if (outcome instanceof PostmortemFold.Rejected rejected) {
      future.completeExceptionally(rejected.reason());
    } else {
      future.completeExceptionally(
          new InvalidPostmortemException(List.of("the event is not a postmortem revision")));
    }
  }

  private static CloudEvent event(PostmortemRevised payload, String incidentId, Instant at) {
    return CloudEvent.of(payload)
        .source(SOURCE)
        .subject(payload.postmortemId())
        .incidentId(incidentId == null || incidentId.isEmpty() ? null : incidentId)
        .time(at)
        .build();
  }

  static Postmortem withTimeline(Postmortem p, List<Postmortem.TimelineEntry> timeline) {
    return p.withTimeline(new ArrayList<>(timeline));
  }
}
