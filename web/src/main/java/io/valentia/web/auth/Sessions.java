package io.valentia.web.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Browser sessions: a login with an API token gets a random session id (sent as an HttpOnly,
 * SameSite=Strict cookie) and a CSRF token that every change made with the session must carry in
 * {@code X-CSRF-Token}. A session ends after {@code idle} without use or on logout.
 *
 * <p>Sessions opened with {@link #open} survive a restart: they are kept in {@code sessions.json}
 * in the web data directory (mode 0600), keyed by the SHA-256 hash of the session id, so the file
 * alone does not let anyone log in. Creating and ending a session write the file at once (a logout
 * is never undone by a crash); the expiry that each use moves on is written by {@link #flush},
 * which the web server calls every few seconds. Sessions made with the constructor live in memory
 * only. Thread-safe; {@link #create}, {@link #end} and {@link #flush} do file I/O when persistent
 * and must not run on an event loop.
 */
public final class Sessions {
  /** The cookie's name. */
  public static final String COOKIE = "valentia_session";

  /** The header carrying the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  static final String FILE = "sessions.json";
  private static final Duration DEFAULT_IDLE = Duration.ofHours(12);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

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

  /** A session as stored: the id only as its hash. */
  record StoredSession(
      String idSha256, String name, String role, String csrfToken, Instant expires) {}

  /** Sessions by the hash of their id. */
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  private final Duration idle;
  private final Clock clock;
  private final Path file;
  private final AtomicBoolean dirty = new AtomicBoolean();

  private Sessions(Duration idle, Clock clock, Path file) {
    this.idle = idle;
    this.clock = clock;
    this.file = file;
  }

  /** Sessions in memory only. */
  public Sessions(Duration idle, Clock clock) {
    this(idle, clock, null);
  }

  /** Sessions in memory only, of 12 hours' idle time on the system clock. */
  public Sessions() {
    this(DEFAULT_IDLE, Clock.systemUTC());
  }

  /**
   * Opens the sessions kept in {@code dir}, of 12 hours' idle time (an absent file: none yet).
   *
   * @throws ValentiaException when the file exists but is not a session store
   */
  public static Sessions open(Path dir) {
    return open(dir, DEFAULT_IDLE, Clock.systemUTC());
  }

  /**
   * Opens the sessions kept in {@code dir}; expired ones are dropped.
   *
   * @throws ValentiaException when the file exists but is not a session store
   */
  public static Sessions open(Path dir, Duration idle, Clock clock) {
    Sessions store = new Sessions(idle, clock, dir.resolve(FILE));
    if (Files.exists(store.file)) {
      try {
        List<StoredSession> stored =
            EventCodec.MAPPER.readValue(store.file.toFile(), new TypeReference<>() {});
        Instant now = clock.instant();
        for (StoredSession s : stored) {
          if (s.expires().isAfter(now)) {
            store.sessions.put(
                s.idSha256(),
                new Session(null, new Principal(s.name(), s.role()), s.csrfToken(), s.expires()));
          }
        }
      } catch (IOException | RuntimeException e) {
        throw new ValentiaException(
            store.file + " is not a session store (" + e.getMessage() + "); fix or remove it", e);
      }
    }
    return store;
  }

  /** Starts a session for {@code principal}. */
  public Session create(Principal principal) {
    sessions.values().removeIf(s -> s.expires().isBefore(clock.instant()));
    String id = random();
    Session session = new Session(id, principal, random(), clock.instant().plus(idle));
    sessions.put(hash(id), session);
    save();
    return session;
  }

  /** The live session with {@code id}, its expiry moved on; empty when none. */
  public Optional<Session> find(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    String key = hash(id);
    Session session = sessions.get(key);
    if (session == null) {
      return Optional.empty();
    }
    if (session.expires().isBefore(clock.instant())) {
      sessions.remove(key);
      dirty.set(true);
      return Optional.empty();
    }
    Session renewed =
        new Session(id, session.principal(), session.csrfToken(), clock.instant().plus(idle));
    sessions.put(key, renewed);
    dirty.set(true);
    return Optional.of(renewed);
  }

  /** Ends a session; false when there was none. */
  public boolean end(String id) {
    if (id == null || sessions.remove(hash(id)) == null) {
      return false;
    }
    save();
    return true;
  }

  /** Whether the sessions are kept on disk. */
  public boolean persistent() {
    return file != null;
  }

  /** Writes the moved-on expiries when anything changed since the last write. */
  public void flush() {
    if (dirty.get()) {
      save();
    }
  }

  private synchronized void save() {
    if (file == null) {
      return;
    }
    dirty.set(false);
    Instant now = clock.instant();
    List<StoredSession> stored = new ArrayList<>();
    sessions.forEach(
        (key, s) -> {
          if (s.expires().isAfter(now)) {
            stored.add(
                new StoredSession(
                    key, s.principal().name(), s.principal().role(), s.csrfToken(), s.expires()));
          }
        });
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(FILE + ".tmp");
      // made readable by its owner only before anything is written into it
      Files.deleteIfExists(temp);
      Files.createFile(temp, OWNER_ONLY);
      Files.write(temp, EventCodec.MAPPER.writeValueAsBytes(stored));
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      dirty.set(true);
      throw new ValentiaException("cannot write the session store " + file + ": " + e, e);
    } catch (UnsupportedOperationException e) {
      throw new ValentiaException(
          "the session store "
              + file
              + " must be readable by its owner only, which needs a POSIX file system",
          e);
    }
  }

  private static String hash(String id) {
    return HexFormat.of().formatHex(TokenStore.sha256(id));
  }

  private static String random() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }
}
