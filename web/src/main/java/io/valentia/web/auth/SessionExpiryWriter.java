package io.valentia.web.auth;

import io.valentia.eventbus.kafka.StateTable;
import io.valentia.web.auth.Sessions.StoredSession;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a used session's moved-on expiry back to the sessions table, on a thread of its own, at
 * most once per {@link Sessions#TOUCH_INTERVAL} and session, and never brings back a session whose
 * tombstone (a logout, a revocation, on any process) was read meanwhile. Thread-safe.
 */
final class SessionExpiryWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionExpiryWriter.class);

  /** How long a read tombstone is remembered. */
  private static final Duration ENDED_KEPT = Duration.ofMinutes(10);

  private final StateTable<StoredSession> table;

  /** Expiries being written, by session key, so a burst of requests writes once. */
  private final Map<String, Instant> touching = new ConcurrentHashMap<>();

  /**
   * When this process read each recent tombstone, by session key (kept for {@link #ENDED_KEPT}).
   */
  private final Map<String, Long> ended = new ConcurrentHashMap<>();

  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "valentia-session-writer");
            t.setDaemon(true);
            return t;
          });

  SessionExpiryWriter(StateTable<StoredSession> table) {
    this.table = table;
  }

  /** Notes that this process read the tombstone of session {@code key} now. */
  void tombstoneRead(String key) {
    ended.put(key, System.nanoTime());
  }

  /** Forgets tombstones read longer than {@link #ENDED_KEPT} ago. */
  void forgetOldTombstones() {
    long forgotten = System.nanoTime() - ENDED_KEPT.toNanos();
    ended.values().removeIf(at -> at - forgotten < 0);
  }

  /** Writes the moved-on expiry when the stored one lags by more than the touch interval. */
  void touch(String key, StoredSession stored, Instant now, Instant expires, Instant created) {
    Instant known = touching.getOrDefault(key, stored.expires());
    if (known.plus(Sessions.TOUCH_INTERVAL).isAfter(expires)
        || touching.putIfAbsent(key, expires) != null) {
      return;
    }
    StoredSession renewed = stored.seen(now, expires, created);
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
    } catch (RejectedExecutionException e) {
      touching.remove(key); // closed
    }
  }

  private boolean endedSince(String key, long nanos) {
    Long at = ended.get(key);
    return at != null && at - nanos >= 0;
  }

  /** Stops the writer; writes already queued are dropped. */
  @Override
  public void close() {
    writer.shutdownNow();
  }
}
