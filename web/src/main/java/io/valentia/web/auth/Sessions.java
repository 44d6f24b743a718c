package io.valentia.web.auth;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browser sessions: a login with an API token gets a random session id (sent as an HttpOnly,
 * SameSite=Strict cookie) and a CSRF token that every change made with the session must carry in
 * {@code X-CSRF-Token}. A session ends after {@code idle} without use, on logout, or when the token
 * it was made with is revoked.
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
 */
public final class Sessions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

  /** The cookie's name. */
  public static final String COOKIE = "valentia_session";

  /** The header carrying the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** How far the stored expiry may fall behind use before a use writes it again. */
  public static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

  static final Duration DEFAULT_IDLE = Duration.ofHours(12);
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

  /**
   * A session as stored, keyed by the hash of its id.
   *
   * @param tokenId the id of the token the session was made with (see {@link Principal#tokenId})
   * @param csrfToken null for a session made by this release, whose CSRF token is derived from the
   *     session id (so Kafka holds nothing that works as a secret); the token itself for a session
   *     imported from the previous release, which kept it so
   */
  public record StoredSession(
      String tokenId, String name, String role, String csrfToken, Instant expires) {}

  private final StateTable<StoredSession> table;
  private final Predicate<String> tokenLive;
  private final Duration idle;
  private final Clock clock;

  /** Expiries being written, by session key, so a burst of requests writes once. */
  private final Map<String, Instant> touching = new ConcurrentHashMap<>();

  /**
   * When this process read each recent tombstone, by session key (kept for {@link #ENDED_KEPT}).
   */
  private final Map<String, Long> ended = new ConcurrentHashMap<>();

  private static final Duration ENDED_KEPT = Duration.ofMinutes(10);

  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "valentia-session-writer");
            t.setDaemon(true);
            return t;
          });

  private Sessions(
      StateTable<StoredSession> table, Predicate<String> tokenLive, Duration idle, Clock clock) {
    this.table = table;
    this.tokenLive = tokenLive;
    this.idle = idle;
    this.clock = clock;
  }

  /**
   * The sessions of {@code table} (the {@link Topics#STATE_SESSIONS} table), of 12 hours' idle time
   * on the system clock.
   *
   * @param tokenLive whether a token id names a live token: a session whose token is not live is
   *     not found, even before its tombstone is read
   */
  public static Sessions open(StateTable<StoredSession> table, Predicate<String> tokenLive) {
    return open(table, tokenLive, DEFAULT_IDLE, Clock.systemUTC());
  }

  /** Like {@link #open(StateTable, Predicate)} with another idle time and clock. */
  public static Sessions open(
      StateTable<StoredSession> table, Predicate<String> tokenLive, Duration idle, Clock clock) {
    Sessions sessions = new Sessions(table, tokenLive, idle, clock);
    table.listen(
        (key, before, after) -> {
          if (after == null) {
            sessions.ended.put(key, System.nanoTime());
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
    sweepExpired();
    String id = random();
    Session session = new Session(id, principal, csrfOf(id), clock.instant().plus(idle));
    StateMigration.await(
        table.put(
            hash(id),
            new StoredSession(
                principal.tokenId(), principal.name(), principal.role(), null, session.expires())),
        "store a browser session");
    return session;
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
    if (stored.expires().isBefore(now) || !tokenLive.test(stored.tokenId())) {
      return Optional.empty();
    }
    Instant expires = now.plus(idle);
    touch(key, stored, expires);
    return Optional.of(
        new Session(
            id,
            new Principal(stored.name(), stored.role(), stored.tokenId()),
            stored.csrfToken() != null ? stored.csrfToken() : csrfOf(id),
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
    writer.shutdownNow();
  }

  /** Writes the moved-on expiry when the stored one lags by more than {@link #TOUCH_INTERVAL}. */
  private void touch(String key, StoredSession stored, Instant expires) {
    Instant known = touching.getOrDefault(key, stored.expires());
    if (known.plus(TOUCH_INTERVAL).isAfter(expires) || touching.putIfAbsent(key, expires) != null) {
      return;
    }
    StoredSession renewed =
        new StoredSession(
            stored.tokenId(), stored.name(), stored.role(), stored.csrfToken(), expires);
    try {
      writer.execute(
          () -> {
            long decided = System.nanoTime();
            // a logout or revocation read meanwhile wins: never bring an ended session back
            if (table.get(key).isEmpty()) {
              touching.remove(key);
              return;
            }
            table
                .put(key, renewed)
                .whenComplete(
                    (ok, e) -> {
                      touching.remove(key);
                      if (e != null) {
                        LOG.warn("could not move a browser session's expiry on: {}", e.toString());
                      } else if (endedSince(key, decided)) {
                        // a tombstone (another process's logout) landed between the check and
                        // this write: end the session again
                        table.remove(key);
                      }
                    });
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      touching.remove(key); // closed
    }
  }

  private boolean endedSince(String key, long nanos) {
    Long at = ended.get(key);
    return at != null && at - nanos >= 0;
  }

  /** Tombstones sessions that expired; fire and forget, a later sweep retries. */
  private void sweepExpired() {
    long forgotten = System.nanoTime() - ENDED_KEPT.toNanos();
    ended.values().removeIf(at -> at - forgotten < 0);
    Instant now = clock.instant();
    table
        .snapshot()
        .forEach(
            (key, s) -> {
              if (s.expires().isBefore(now)) {
                table.remove(key);
              }
            });
  }

  /**
   * The CSRF token of session {@code id}: a hash of the id under its own label, so it can be told
   * to the page without being stored, and tells nothing of the id (which only the HttpOnly cookie
   * holds).
   */
  static String csrfOf(String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(TokenStore.sha256("valentia-csrf:" + id));
  }

  static String hash(String id) {
    return HexFormat.of().formatHex(TokenStore.sha256(id));
  }

  private static String random() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }
}
