package io.valentia.web.auth;

import io.valentia.web.auth.Sessions.StoredSession;
import java.time.Duration;
import java.time.Instant;

/**
 * When a stored session ends: {@code idle} after its last use, and {@code lifetime} after its login
 * however much it is used. Immutable.
 */
final class SessionLifetime {
  /** The idle time of the release before lifetimes, to date a session it stored without one. */
  private static final Duration LEGACY_IDLE = Duration.ofHours(12);

  private final Duration idle;
  private final Duration lifetime;

  SessionLifetime(Duration idle, Duration lifetime) {
    this.idle = idle;
    this.lifetime = lifetime;
  }

  /** Whether {@code s} has not yet expired at {@code now}, by idle time or lifetime. */
  boolean unexpired(StoredSession s, Instant now) {
    return !s.expires().isBefore(now) && !createdOf(s).plus(lifetime).isBefore(now);
  }

  /** When {@code s} was made; for a session stored before lifetimes, its last use. */
  static Instant createdOf(StoredSession s) {
    return s.created() != null ? s.created() : s.expires().minus(LEGACY_IDLE);
  }

  /** The expiry of a session made at {@code created} and used at {@code now}. */
  Instant expiry(Instant created, Instant now) {
    Instant idleEnd = now.plus(idle);
    Instant end = created.plus(lifetime);
    return idleEnd.isBefore(end) ? idleEnd : end;
  }
}
