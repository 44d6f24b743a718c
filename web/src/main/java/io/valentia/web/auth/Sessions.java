package io.valentia.web.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions: a login with an API token gets a random session id (sent as an HttpOnly,
 * SameSite=Strict cookie) and a CSRF token that every change made with the session must carry in
 * {@code X-CSRF-Token}. Sessions live in memory and end after {@code idle} without use, on logout,
 * or when the process stops. Thread-safe.
 */
public final class Sessions {
  /** The cookie's name. */
  public static final String COOKIE = "valentia_session";

  /** The header carrying the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One session; {@code expires} moves on with each use. */
  public record Session(String id, Principal principal, String csrfToken, Instant expires) {
    /** Whether {@code presented} is this session's CSRF token (compared in constant time). */
    public boolean csrfMatches(String presented) {
      return presented != null
          && MessageDigest.isEqual(
              csrfToken.getBytes(StandardCharsets.UTF_8),
              presented.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Duration idle;
  private final Clock clock;

  public Sessions(Duration idle, Clock clock) {
    this.idle = idle;
    this.clock = clock;
  }

  /** Sessions of 12 hours' idle time on the system clock. */
  public Sessions() {
    this(Duration.ofHours(12), Clock.systemUTC());
  }

  /** Starts a session for {@code principal}. */
  public Session create(Principal principal) {
    sessions.values().removeIf(s -> s.expires().isBefore(clock.instant()));
    Session session = new Session(random(), principal, random(), clock.instant().plus(idle));
    sessions.put(session.id(), session);
    return session;
  }

  /** The live session with {@code id}, its expiry moved on; empty when none. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session session = sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (session.expires().isBefore(clock.instant())) {
      sessions.remove(id);
      return Optional.empty();
    }
    Session renewed =
        new Session(
            session.id(), session.principal(), session.csrfToken(), clock.instant().plus(idle));
    sessions.put(id, renewed);
    return Optional.of(renewed);
  }

  /** Ends a session; false when there was none. */
  public boolean end(String id) {
    return id != null && sessions.remove(id) != null;
  }

  private static String random() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }
}
