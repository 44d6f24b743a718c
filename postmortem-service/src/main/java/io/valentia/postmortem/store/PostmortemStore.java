package io.valentia.postmortem.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.eventbus.payload.SectionChange;
import io.valentia.postmortem.documents.Postmortem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every postmortem's history, folded from the revision events of {@code valentia.postmortems} in
 * log order. The log decides: a revision is taken when it is the next number of its postmortem, and
 * a revision that is not (two writers based on the same revision) is rejected, the same way on
 * every replay. Writers therefore {@link #create} or {@link #revise} an event, {@link #whenApplied}
 * it, publish it, and learn from the future whether the log took it.
 *
 * <p>Thread-safe; the listener runs on the thread that applies an event.
 */
public final class PostmortemStore {
  private static final Logger LOG = LoggerFactory.getLogger(PostmortemStore.class);

  /** The source of revision events. */
  public static final String SOURCE = "/postmortem/store";

  private final Map<String, PostmortemHistory> histories = new LinkedHashMap<>();
  private final Map<String, CompletableFuture<PostmortemHistory>> waiting =
      new ConcurrentHashMap<>();
  private final Consumer<PostmortemHistory> listener;
  private long rejected;

  /**
   * @param listener told of every history that changed (to index it)
   */
  public PostmortemStore(Consumer<PostmortemHistory> listener) {
    this.listener = listener;
  }

  public synchronized Optional<PostmortemHistory> get(String id) {
    return Optional.ofNullable(histories.get(id));
  }

  /** Every postmortem, first created first. */
  public synchronized List<PostmortemHistory> all() {
    return List.copyOf(histories.values());
  }

  /** Revision events the log held that did not follow their postmortem's latest revision. */
  public synchronized long rejectedCount() {
    return rejected;
  }

  /**
   * The event that creates postmortem {@code id} as {@code document}.
   *
   * @param action {@code created} or {@code imported}
   * @throws RevisionConflictException when {@code id} exists
   */
  public synchronized CloudEvent create(
      String id, Postmortem document, String author, String action, String note, Instant at) {
    PostmortemHistory existing = histories.get(id);
    if (existing != null) {
      throw new RevisionConflictException(id, 0, existing.revision());
    }
    Postmortem stored =
        withTimeline(document, TimelineMerge.merge(List.of(), document.timeline(), author, at));
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
  public synchronized Optional<CloudEvent> revise(
      String id, int expected, JsonNode patch, String author, String note, Instant at) {
    PostmortemHistory history = histories.get(id);
    if (history == null) {
      throw new PostmortemNotFoundException("no postmortem " + id);
    }
    if (expected != history.revision()) {
      throw new RevisionConflictException(id, expected, history.revision());
    }
    Postmortem current = history.current();
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
   * A future completed when the event with {@code eventId} is applied (with the history it gave) or
   * rejected (with a {@link RevisionConflictException}). Ask before publishing the event.
   */
  public CompletableFuture<PostmortemHistory> whenApplied(String eventId) {
    return waiting.computeIfAbsent(eventId, k -> new CompletableFuture<>());
  }

  /** Forgets a future of {@link #whenApplied} whose event was never published. */
  public void forget(String eventId) {
    waiting.remove(eventId);
  }

  /**
   * Applies one revision event read from the log, in log order. Events of other types, repeats of
   * an applied event and revisions that do not follow are not applied.
   *
   * @return whether it was applied
   */
  public boolean apply(CloudEvent event) {
    PostmortemRevised revised;
    try {
      revised = EventCodec.instance().payload(event, PostmortemRevised.class);
    } catch (RuntimeException e) {
      return false;
    }
    PostmortemHistory after;
    synchronized (this) {
      PostmortemHistory before = histories.get(revised.postmortemId());
      if (before != null
          && before.revisions().stream().anyMatch(r -> r.eventId().equals(event.id()))) {
        complete(event.id(), before, null);
        return false;
      }
      int current = before == null ? 0 : before.revision();
      if (revised.revision() != current + 1) {
        rejected++;
        LOG.warn(
            "revision {} of postmortem {} (event {}) does not follow revision {}; not applied",
            revised.revision(),
            revised.postmortemId(),
            event.id(),
            current);
        complete(
            event.id(),
            null,
            new RevisionConflictException(revised.postmortemId(), revised.revision() - 1, current));
        return false;
      }
      PostmortemRevision revision =
          new PostmortemRevision(
              revised.postmortemId(),
              revised.revision(),
              revised.author(),
              event.time() == null ? Instant.now() : event.time(),
              revised.action(),
              revised.status(),
              revised.changes(),
              revised.note(),
              event.id());
      try {
        after = before == null ? PostmortemHistory.start(revision) : before.append(revision);
      } catch (InvalidPostmortemException e) {
        rejected++;
        LOG.warn("event {} does not make a valid postmortem; not applied: {}", event.id(), e);
        complete(event.id(), null, e);
        return false;
      }
      histories.put(after.id(), after);
    }
    listener.accept(after);
    complete(event.id(), after, null);
    return true;
  }

  private void complete(String eventId, PostmortemHistory history, RuntimeException failure) {
    CompletableFuture<PostmortemHistory> future = waiting.remove(eventId);
    if (future == null) {
      return;
    }
    if (failure != null) {
      future.completeExceptionally(failure);
    } else {
      future.complete(history);
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
    return new Postmortem(
        p.title(),
        p.status(),
        p.incidentId(),
        p.summary(),
        p.impact(),
        p.trigger(),
        p.detection(),
        p.resolution(),
        p.contributingFactors(),
        p.actionItems(),
        p.wentWell(),
        p.wentWrong(),
        p.gotLucky(),
        new ArrayList<>(timeline),
        p.testimonies(),
        p.findings(),
        p.recommendations());
  }
}
