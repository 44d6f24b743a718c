package io.valentia.eventbus.health;

import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.HealthMuted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds {@code health.changed} and {@code health.muted} events into the current checks, the way
 * {@code ceph health detail} shows them. The same check raised by several sources (two probers that
 * both see an MTU black hole) is one check: the worst severity, the counts added up, every source's
 * detail lines. A source clearing its check removes only its own part.
 *
 * <p>Mutes follow {@code ceph health mute}: a muted check is shown but does not count towards the
 * overall status; a mute ends at its time, when it is unmuted, when the check clears (unless
 * sticky), or when the check's count grows (unless sticky). Not thread-safe: feed it from one
 * thread (a Vert.x context) and read {@link #checks} there.
 */
public final class HealthRollup {
  private final Map<String, Map<String, Part>> raised = new HashMap<>();
  private final Map<String, Mute> mutes = new HashMap<>();

  /** Applies a change from {@code source} (the event's source). */
  public void apply(String source, HealthChanged change) {
    Map<String, Part> parts = raised.computeIfAbsent(change.check(), c -> new HashMap<>());
    int before = count(parts);
    if (HealthReport.OK.equals(change.status())) {
      parts.remove(source);
      if (parts.isEmpty()) {
        raised.remove(change.check());
        Mute mute = mutes.get(change.check());
        if (mute != null && !mute.sticky()) {
          mutes.remove(change.check());
        }
      }
      return;
    }
    parts.put(source, new Part(change.status(), change.summary(), change.detail(), change.count()));
    Mute mute = mutes.get(change.check());
    if (mute != null && !mute.sticky() && count(parts) > Math.max(before, mute.countAtMute())) {
      mutes.remove(change.check()); // it got worse: people must see it again
    }
  }

  /** Applies a mute or unmute. */
  public void apply(HealthMuted mute) {
    if (mute.muted()) {
      mutes.put(
          mute.check(),
          new Mute(
              mute.until(), mute.sticky(), count(raised.getOrDefault(mute.check(), Map.of()))));
    } else {
      mutes.remove(mute.check());
    }
  }

  /** The raised checks by name at {@code now}, muted ones marked. */
  public Map<String, HealthCheck> checks(Instant now) {
    mutes.values().removeIf(m -> m.until() != null && !now.isBefore(m.until()));
    Map<String, HealthCheck> checks = new TreeMap<>();
    raised.forEach(
        (name, parts) -> {
          HealthCheck check = combine(parts);
          checks.put(name, mutes.containsKey(name) ? check.mute() : check);
        });
    return checks;
  }

  /** The active mutes by check name. */
  public Map<String, Mute> mutes(Instant now) {
    mutes.values().removeIf(m -> m.until() != null && !now.isBefore(m.until()));
    return Map.copyOf(mutes);
  }

  private static HealthCheck combine(Map<String, Part> parts) {
    String severity = HealthReport.OK;
    List<String> detail = new ArrayList<>();
    List<String> summaries = new ArrayList<>();
    new TreeMap<>(parts)
        .forEach(
            (source, part) -> {
              summaries.add(part.summary());
              detail.addAll(part.detail());
            });
    for (Part part : parts.values()) {
      severity = HealthReport.worse(severity, part.status());
    }
    String summary =
        summaries.size() == 1
            ? summaries.get(0)
            : summaries.size() + " sources: " + String.join("; ", summaries);
    return new HealthCheck(severity, summary, detail);
  }

  private static int count(Map<String, Part> parts) {
    return parts.values().stream().mapToInt(Part::count).sum();
  }

  private record Part(String status, String summary, List<String> detail, int count) {}

  /**
   * An active mute.
   *
   * @param until when it ends by itself; null for never
   * @param sticky whether it survives the check clearing or growing
   * @param countAtMute the check's count when it was muted
   */
  public record Mute(Instant until, boolean sticky, int countAtMute) {}
}
