package io.valentia.eventbus.health;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The raised checks ({@link Topics#STATE_HEALTH}) and the mutes ({@link Topics#STATE_MUTES}) of the
 * platform, read from their state tables, folded into the checks {@code /health} shows the way
 * {@code ceph health detail} shows them: the same check raised by several sources is one check (the
 * worst severity, the counts added up, every source's detail lines), and a check is marked muted
 * while a {@link CheckMute} counts for it. The fold reads only the tables' current contents, so
 * every process that reads the same tables shows the same checks. Thread-safe.
 */
public final class HealthTables {
  private final StateTable<RaisedCheck> raised;
  private final StateTable<CheckMute> mutes;

  public HealthTables(StateTable<RaisedCheck> raised, StateTable<CheckMute> mutes) {
    this.raised = raised;
    this.mutes = mutes;
  }

  /** Opens (or shares) this process's health and mute tables. */
  public static HealthTables open(StateTables tables) {
    return new HealthTables(
        tables.open(Topics.STATE_HEALTH, RaisedCheck.class),
        tables.open(Topics.STATE_MUTES, CheckMute.class));
  }

  public StateTable<RaisedCheck> raised() {
    return raised;
  }

  public StateTable<CheckMute> mutes() {
    return mutes;
  }

  /** Completes once both tables are restored. */
  public CompletableFuture<Void> restored() {
    return CompletableFuture.allOf(raised.restored(), mutes.restored());
  }

  /** The raised checks by name at {@code now}, muted ones marked. */
  public Map<String, HealthCheck> checks(Instant now) {
    return checks(raised.snapshot().values(), mutes.snapshot(), now);
  }

  /** The mutes that count at {@code now}, by check. */
  public Map<String, CheckMute> activeMutes(Instant now) {
    Map<String, List<RaisedCheck>> byCheck = byCheck(raised.snapshot().values());
    Map<String, CheckMute> active = new TreeMap<>();
    mutes
        .snapshot()
        .forEach(
            (check, mute) -> {
              if (counts(mute, byCheck.getOrDefault(check, List.of()), now)) {
                active.put(check, mute);
              }
            });
    return active;
  }

  /** A mute of {@code check} set at {@code now} by {@code by}, from the check as it stands. */
  public CheckMute mute(String check, Instant until, boolean sticky, String by, Instant now) {
    List<RaisedCheck> parts = byCheck(raised.snapshot().values()).getOrDefault(check, List.of());
    return new CheckMute(check, until, sticky, count(parts), since(parts), by, now);
  }

  /** Folds raised parts and mutes into the checks shown at {@code now}. */
  public static Map<String, HealthCheck> checks(
      Collection<RaisedCheck> parts, Map<String, CheckMute> mutes, Instant now) {
    Map<String, HealthCheck> checks = new TreeMap<>();
    byCheck(parts)
        .forEach(
            (name, own) -> {
              HealthCheck check = combine(own);
              CheckMute mute = mutes.get(name);
              checks.put(name, mute != null && counts(mute, own, now) ? check.mute() : check);
            });
    return checks;
  }

  /** Whether {@code mute} counts at {@code now} for a check whose parts are {@code parts}. */
  public static boolean counts(CheckMute mute, List<RaisedCheck> parts, Instant now) {
    if (mute.expired(now)) {
      return false;
    }
    if (mute.sticky()) {
      return true;
    }
    if (parts.isEmpty() || mute.raisedSince() == null) {
      return false; // cleared since, or not raised when muted
    }
    Instant since = since(parts);
    boolean sameRaise = since == null || !since.isAfter(mute.raisedSince());
    return sameRaise && count(parts) <= mute.countAtMute();
  }

  private static Map<String, List<RaisedCheck>> byCheck(Collection<RaisedCheck> parts) {
    Map<String, List<RaisedCheck>> byCheck = new LinkedHashMap<>();
    for (RaisedCheck part : parts) {
      byCheck.computeIfAbsent(part.check(), c -> new ArrayList<>()).add(part);
    }
    return byCheck;
  }

  private static HealthCheck combine(List<RaisedCheck> parts) {
    List<RaisedCheck> sorted = new ArrayList<>(parts);
    sorted.sort((a, b) -> a.source().compareTo(b.source()));
    String severity = HealthReport.OK;
    List<String> summaries = new ArrayList<>();
    List<String> detail = new ArrayList<>();
    for (RaisedCheck part : sorted) {
      severity = HealthReport.worse(severity, part.status());
      summaries.add(part.summary());
      detail.addAll(part.detail());
    }
    String summary =
        summaries.size() == 1
            ? summaries.get(0)
            : summaries.size() + " sources: " + String.join("; ", summaries);
    return new HealthCheck(severity, summary, detail);
  }

  private static int count(List<RaisedCheck> parts) {
    return parts.stream().mapToInt(RaisedCheck::count).sum();
  }

  private static Instant since(List<RaisedCheck> parts) {
    Instant since = null;
    for (RaisedCheck part : parts) {
      if (part.since() != null && (since == null || part.since().isBefore(since))) {
        since = part.since();
      }
    }
    return since;
  }
}
