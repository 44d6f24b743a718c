package io.valentia.app;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.CheckMute;
import io.valentia.eventbus.health.HealthTables;
import io.valentia.eventbus.health.RaisedCheck;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.HealthMuted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Builds the health and mute tables once from the {@code health.changed} and {@code health.muted}
 * events a release without state topics left on valentia.events, with the rules that release
 * applied while replaying them: a source clearing its check removes its part; a mute that is not
 * sticky ends when the check clears or its count grows past the count it had when muted. One scan
 * builds both tables; it is recorded under {@link Topics#STATE_HEALTH}. Not thread-safe: one
 * migration at a time.
 */
final class HealthHistory {
  static final Set<String> TYPES =
      Set.of(EventType.HEALTH_CHANGED.type(), EventType.HEALTH_MUTED.type());

  private final Map<String, RaisedCheck> parts = new LinkedHashMap<>();
  private final Map<String, CheckMute> mutes = new LinkedHashMap<>();
  private final EventCodec codec = EventCodec.instance();

  /** Runs the migration unless it ran before; blocking. */
  static void migrate(StateMigration migration, HealthTables tables) {
    HealthHistory history = new HealthHistory();
    migration.once(
        Topics.STATE_HEALTH,
        Topics.EVENTS,
        TYPES,
        history::accept,
        () -> history.write(tables, Instant.now()));
  }

  /** Folds one record of valentia.events. */
  void accept(LogRecord record) {
    CloudEvent event;
    try {
      event = codec.decode(record.value());
    } catch (InvalidEventException e) {
      return; // the dead-letter gate reported it when it was written
    }
    Instant at = event.time() != null ? event.time() : Instant.ofEpochMilli(record.timestamp());
    Object payload = codec.payload(event).orElse(null);
    if (payload instanceof HealthChanged change && event.source() != null) {
      changed(event.source(), change, at);
    } else if (payload instanceof HealthMuted mute) {
      muted(mute, at);
    }
  }

  private void changed(String source, HealthChanged change, Instant at) {
    String key = RaisedCheck.key(change.check(), source);
    int before = count(change.check());
    RaisedCheck after = RaisedCheck.after(parts.get(key), source, change, at);
    if (after == null) {
      parts.remove(key);
    } else {
      parts.put(key, after);
    }
    CheckMute mute = mutes.get(change.check());
    if (mute == null || mute.sticky()) {
      return;
    }
    List<RaisedCheck> now = parts(change.check());
    if (now.isEmpty() || count(change.check()) > Math.max(before, mute.countAtMute())) {
      mutes.remove(change.check());
    }
  }

  private void muted(HealthMuted mute, Instant at) {
    if (!mute.muted()) {
      mutes.remove(mute.check());
      return;
    }
    Instant since = null;
    for (RaisedCheck part : parts(mute.check())) {
      if (since == null || part.since().isBefore(since)) {
        since = part.since();
      }
    }
    mutes.put(
        mute.check(),
        new CheckMute(
            mute.check(), mute.until(), mute.sticky(), count(mute.check()), since, mute.by(), at));
  }

  /**
   * Writes what the history left: every raised part, and every mute not yet ended at {@code now}.
   */
  void write(HealthTables tables, Instant now) {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    parts.forEach((key, part) -> writes.add(tables.raised().put(key, part)));
    mutes.forEach(
        (check, mute) -> {
          if (!mute.expired(now)) {
            writes.add(tables.mutes().put(check, mute));
          }
        });
    StateMigration.await(
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
        "write the health checks and mutes");
  }

  Map<String, RaisedCheck> parts() {
    return parts;
  }

  Map<String, CheckMute> mutes() {
    return mutes;
  }

  private List<RaisedCheck> parts(String check) {
    return parts.values().stream().filter(p -> p.check().equals(check)).toList();
  }

  private int count(String check) {
    return parts(check).stream().mapToInt(RaisedCheck::count).sum();
  }
}
