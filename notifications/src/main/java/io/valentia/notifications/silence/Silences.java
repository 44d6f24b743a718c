package io.valentia.notifications.silence;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The silences known, in memory, by id: what the dispatcher asks whether an alert is muted. The
 * service fills it from the compacted silences topic and writes back what {@link #expire} returns.
 *
 * <p>Thread-safe.
 */
public final class Silences {
  private static final Comparator<Silence> ORDER =
      Comparator.comparing(Silence::startsAt).thenComparing(Silence::id);

  private final Map<String, Silence> byId = new ConcurrentHashMap<>();

  /** Adds {@code silence}, or replaces the one with its id. Not validated here. */
  public void put(Silence silence) {
    Objects.requireNonNull(silence.id(), "id");
    byId.put(silence.id(), silence);
  }

  /** Forgets the silence {@code id} (a tombstone on the topic); whether it was there. */
  public boolean remove(String id) {
    return byId.remove(id) != null;
  }

  public Optional<Silence> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every silence, in force or not, by start time then id. */
  public List<Silence> list() {
    return byId.values().stream().sorted(ORDER).toList();
  }

  /** The silences in {@code state} at {@code now}, by start time then id. */
  public List<Silence> list(Silence.State state, Instant now) {
    return byId.values().stream().filter(s -> s.state(now) == state).sorted(ORDER).toList();
  }

  /**
   * Ends silence {@code id} at {@code now}, as Alertmanager: an active one ends now, a pending one
   * starts and ends now, an expired one is left as it is.
   *
   * @return the silence as it now is (to be written to the topic); empty when there is no such id
   */
  public Optional<Silence> expire(String id, Instant now) {
    Silence[] result = new Silence[1];
    byId.computeIfPresent(
        id,
        (k, s) -> {
          Silence updated =
              switch (s.state(now)) {
                case EXPIRED -> s;
                case ACTIVE -> s.withEndsAt(now, now);
                case PENDING ->
                    new Silence(s.id(), s.matchers(), now, now, s.createdBy(), s.comment(), now);
              };
          result[0] = updated;
          return updated;
        });
    return Optional.ofNullable(result[0]);
  }

  /** The silences active at {@code now} that match {@code labels}, by start time then id. */
  public List<Silence> silencing(Map<String, String> labels, Instant now) {
    return byId.values().stream().filter(s -> s.mutes(labels, now)).sorted(ORDER).toList();
  }

  /** Forgets the silences that ended before {@code cutoff} (retention); returns them. */
  public List<Silence> forgetExpiredBefore(Instant cutoff) {
    List<Silence> old =
        byId.values().stream().filter(s -> s.endsAt().isBefore(cutoff)).sorted(ORDER).toList();
    old.forEach(s -> byId.remove(s.id(), s));
    return old;
  }

  public int size() {
    return byId.size();
  }
}
