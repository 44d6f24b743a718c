package io.valentia.web.auth;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Browser sessions: a login with an API token gets a random session id (sent as an HttpOnly,
 * SameSite=Strict cookie) and a CSRF token that every change made with the session must carry in
 * {@code X-CSRF-Token}. A session ends after {@code idle} without use, {@code lifetime} after its
 * login however much it is used, on logout, when an admin ends it, or when the token it was made
 * with is revoked.
 *
 * <p>Sessions are kept in the state topic {@link Topics#STATE_SESSIONS}, keyed by the SHA-256 hash
 * of the session id (the id itself is never stored, so the topic alone does not let anyone log in),
 * so a session made on one web process works on every other and survives restarts. Creating a
 * session and ending one (logout, revocation: a tombstone) wait until Kafka has the change, so a
 * logout is never undone. The expiry moves on with each use, but is written back at most once a
 * minute per session and web process ({@link #TOUCH_INTERVAL}): the stored expiry may lag use by up
 * to that minute, so a session idle for {@code idle} ends up to a minute early.
 *
 * <p>Thread-safe. {@link #find} does not block (a due expiry write runs on a thread of its own);
 * {@link #create}, {@link #end} and {@link #endMadeWith} wait for Kafka and must not run on an
 * event loop.
 *
 * <p>The session's secrets are made by {@link SessionSecrets}, its end dated by {@link
 * SessionLifetime}, and its expiry written back by {@link SessionExpiryWriter}.
 */
public final class Sessions implements AutoCloseable {
  /** The cookie's name. */
  public static final String COOKIE = "valentia_session";

  /** The header carrying the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** How far the stored expiry may fall behind use before a use writes it again. */
  public static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

  static final Duration DEFAULT_IDLE = Duration.ofHours(2);
  static final Duration DEFAULT_LIFETIME = Duration.ofHours(12);

  private static final int USER_AGENT_KEPT = 256;

  /**
   * One session; {@code expires} moves on with each use, up to the end of its lifetime.
   *
   * @param id the session's secret id (the cookie's value)
   */
  public record Session(String id, Principal principal, String csrfToken, Instant expires) {
    /** Whether {@code presented} is this session's CSRF token (compared in constant time). */
    public boolean csrfMatches(String presented) {
      return presented != null
          && MessageDigest.isEqual(
              csrfToken.getBytes(StandardCharsets.UTF_8),
              presented.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * A session as stored, keyed by the hash of its id.
   *
   * @param tokenId the id of the token the session was made with (see {@link Principal#tokenId})
   * @param csrfToken null for a session made by this release, whose CSRF token is derived from the
   *     session id (so Kafka holds nothing that works as a secret); the token itself for a session
   *     imported from the previous release, which kept it so
   * @param created when it was made (its lifetime counts from then); null for a session stored by a
   *     release before lifetimes
   * @param lastSeen when it was last used, as of the last expiry write (up to {@link
   *     #TOUCH_INTERVAL} behind); null until then
   * @param address the client address it was made from; null when unknown
   * @param userAgent the {@code User-Agent} it was made with, cut to 256 characters; null when none
   */
  public record StoredSession(
      String tokenId,
      String name,
      String role,
      String csrfToken,
      Instant expires,
      Instant created,
      Instant lastSeen,
      String address,
      String userAgent) {

    /** A session as the release before lifetimes stored it. */
    public StoredSession(
        String tokenId, String name, String role, String csrfToken, Instant expires) {
      this(tokenId, name, role, csrfToken, expires, null, null, null, null);
    }

    StoredSession seen(Instant when, Instant expires, Instant created) {
      return new StoredSession(
          tokenId, name, role, csrfToken, expires, created, when, address, userAgent);
    }
  }

  /**
   * A session as an admin sees it: never its secret id or CSRF token.
   *
   * @param key the hash of its id, to end it by
   */
  public record Listed(
      String key,
      String name,
      String role,
      String tokenId,
      Instant created,
      Instant lastSeen,
      Instant expires,
      String address,
      String userAgent) {}

  private final StateTable<StoredSession> table;
  private final Predicate<String> tokenLive;
  private final SessionLifetime lifetime;
  private final Clock clock;
  private final SessionExpiryWriter expiryWriter;

  private Sessions(
      StateTable<StoredSession> table,
      Predicate<String> tokenLive,
      Duration idle,
      Duration lifetime,
      Clock clock) {
    this.table = table;
    this.tokenLive = tokenLive;
    this.lifetime = new SessionLifetime(idle, lifetime);
    this.clock = clock;
    this.expiryWriter = new SessionExpiryWriter(table);
  }

  /**
   * The sessions of {@code table} (the {@link Topics#STATE_SESSIONS} table), of 2 hours' idle time
   * and a 12 hours' lifetime on the system clock.
   *
   * @param tokenLive whether a token id names a live token: a session whose token is not live is
   *     not found, even before its tombstone is read
   */
  public static Sessions open(StateTable<StoredSession> table, Predicate<String> tokenLive) {
    return open(table, tokenLive, DEFAULT_IDLE, DEFAULT_LIFETIME, Clock.systemUTC());
  }

  /** Like {@link #open(StateTable, Predicate)} with another idle time and clock. */
  public static Sessions open(
      StateTable<StoredSession> table, Predicate<String> tokenLive, Duration idle, Clock clock) {
    return open(table, tokenLive, idle, DEFAULT_LIFETIME, clock);
  }

  /**
   * Like {@link #open(StateTable, Predicate)} with another idle time, lifetime and clock.
   *
   * @param idle a session unused for this long ends
   * @param lifetime a session ends this long after its login, however much it is used
   */
  public static Sessions open(
      StateTable<StoredSession> table,
      Predicate<String> tokenLive,
      Duration idle,
      Duration lifetime,
      Clock clock) {
    Sessions sessions = new Sessions(table, tokenLive, idle, lifetime, clock);
    table.listen(
        (key, before, after) -> {
          if (after == null) {
            sessions.expiryWriter.tombstoneRead(key);
          }
        });
    return sessions;
  }

  /**
   * Starts a session for {@code principal} and waits until Kafka has it; sessions that expired
   * meanwhile are ended on the way.
   *
   * @throws io.valentia.eventbus.ValentiaException when Kafka does not take it
   */
  public Session create(Principal principal) {
    return create(principal, null, null);
  }

  /**
   * Like {@link #create(Principal)}, noting where the login came from for {@link #list}.
   *
   * @param address the client's address; null when unknown
   * @param userAgent its {@code User-Agent}; null when none
   */
  public Session create(Principal principal, String address, String userAgent) {
    sweepExpired();
    String id = SessionSecrets.newId();
    Instant now = clock.instant();
    Session session =
        new Session(id, principal, SessionSecrets.csrfOf(id), lifetime.expiry(now, now));
    StateMigration.await(
        table.put(
            hash(id),
            new StoredSession(
                principal.tokenId(),
                principal.name(),
                principal.role(),
                null,
                session.expires(),
                now,
                now,
                address,
                userAgent == null
                    ? null
                    : userAgent.substring(0, Math.min(userAgent.length(), USER_AGENT_KEPT)))),
        "store a browser session");
    return session;
  }

  /**
   * The live sessions, oldest first, of {@code principal} (a token or user name) or of everyone
   * when it is null. Does not block.
   */
  public List<Listed> list(String principal) {
    Instant now = clock.instant();
    List<Listed> out = new ArrayList<>();
    table
        .snapshot()
        .forEach(
            (key, s) -> {
              if ((principal == null || principal.equals(s.name())) && live(s, now)) {
                out.add(
                    new Listed(
                        key,
                        s.name(),
                        s.role(),
                        s.tokenId(),
                        SessionLifetime.createdOf(s),
                        s.lastSeen(),
                        s.expires(),
                        s.address(),
                        s.userAgent()));
              }
            });
    out.sort(Comparator.comparing(Listed::created));
    return out;
  }

  /**
   * Ends the session whose key ({@link Listed#key}) is {@code key} and waits until Kafka has the
   * tombstone; false when there is no live one.
   */
  public boolean endByKey(String key) {
    StoredSession stored = key == null ? null : table.get(key).orElse(null);
    if (stored == null || !live(stored, clock.instant())) {
      return false;
    }
    StateMigration.await(table.remove(key), "end a browser session");
    return true;
  }

  /**
   * Ends every session of {@code principal} (a token or user name) and waits until Kafka has the
   * tombstones.
   *
   * @return how many live sessions ended
   */
  public int endOf(String principal) {
    Instant now = clock.instant();
    List<CompletableFuture<Void>> ends = new ArrayList<>();
    int[] live = new int[1];
    table
        .snapshot()
        .forEach(
            (key, s) -> {
              if (principal.equals(s.name())) {
                if (live(s, now)) {
                  live[0]++;
                }
                ends.add(table.remove(key));
              }
            });
    StateMigration.await(
        CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)),
        "end the browser sessions of " + principal);
    return live[0];
  }

  private boolean live(StoredSession s, Instant now) {
    return lifetime.unexpired(s, now) && tokenLive.test(s.tokenId());
  }

  /**
   * The live session with {@code id}, its expiry moved on; empty when there is none, it expired, or
   * its token is revoked. Does not block.
   */
  public Optional<Session> find(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    String key = hash(id);
    StoredSession stored = table.get(key).orElse(null);
    if (stored == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (!live(stored, now)) {
      return Optional.empty();
    }
    Instant created = SessionLifetime.createdOf(stored);
    Instant expires = lifetime.expiry(created, now);
    expiryWriter.touch(key, stored, now, expires, created);
    return Optional.of(
        new Session(
            id,
            new Principal(stored.name(), stored.role(), stored.tokenId()),
            stored.csrfToken() != null ? stored.csrfToken() : SessionSecrets.csrfOf(id),
            expires));
  }

  /** Ends a session (a tombstone) and waits until Kafka has it; false when there was none. */
  public boolean end(String id) {
    if (id == null || id.isEmpty()) {
      return false;
    }
    String key = hash(id);
    if (table.get(key).isEmpty()) {
      return false;
    }
    StateMigration.await(table.remove(key), "end a browser session");
    return true;
  }

  /**
   * Ends every session made with token {@code tokenId} (on its revocation) and waits until Kafka
   * has the tombstones.
   *
   * @return how many sessions ended
   */
  public int endMadeWith(String tokenId) {
    List<CompletableFuture<Void>> ends = new ArrayList<>();
    table
        .snapshot()
        .forEach(
            (key, s) -> {
              if (tokenId.equals(s.tokenId())) {
                ends.add(table.remove(key));
              }
            });
    StateMigration.await(
        CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)),
        "end the browser sessions of token " + tokenId);
    return ends.size();
  }

  /** How many sessions the table holds, expired ones not yet ended included. */
  public int size() {
    return table.size();
  }

  /** Stops the expiry writer; writes already queued are dropped. */
  @Override
  public void close() {
    expiryWriter.close();
  }

  /** Tombstones sessions that expired; fire and forget, a later sweep retries. */
  private void sweepExpired() {
    expiryWriter.forgetOldTombstones();
    Instant now = clock.instant();
    table
        .snapshot()
        .forEach(
            (key, s) -> {
              if (!lifetime.unexpired(s, now)) {
                table.remove(key);
              }
            });
  }

  /** The key session {@code id} is stored under (see {@link SessionSecrets#key}). */
  static String hash(String id) {
    return SessionSecrets.key(id);
  }
}
