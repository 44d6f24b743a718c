package io.valentia.eventbus;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Event ids: UUID version 7 (RFC 9562), time-ordered and unique. Ids from one JVM are strictly
 * increasing even within a millisecond (the 12-bit counter field), so sorting by id sorts by
 * creation.
 */
public final class EventIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Clock CLOCK = Clock.systemUTC();
  private static long lastMillis;
  private static int counter;

  private EventIds() {}

  /** A new UUIDv7 string; thread-safe. */
  public static String next() {
    long millis;
    int sequence;
    synchronized (EventIds.class) {
      millis = Math.max(CLOCK.millis(), lastMillis);
      if (millis == lastMillis) {
        counter++;
        if (counter > 0xFFF) {
          millis++;
          counter = 0;
        }
      } else {
        counter = RANDOM.nextInt(0x400);
      }
      lastMillis = millis;
      sequence = counter;
    }
    long msb = (millis << 16) | 0x7000L | sequence;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** The millisecond timestamp inside a UUIDv7, or -1 when {@code id} is not one. */
  public static long timestampMillis(String id) {
    try {
      UUID uuid = UUID.fromString(id);
      return uuid.version() == 7 ? uuid.getMostSignificantBits() >>> 16 : -1;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
