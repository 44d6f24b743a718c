package io.valentia.probes.denials;

import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.SyscallDenied;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Folds a burst of identical denials into one: denials with the same executable (or command when no
 * executable was logged), syscall and action (for LSM denials: module, operation, object, profile
 * or contexts, outcome) whose times lie within one window of the burst's first become one denial
 * with their count and first/last time. A burst is released when a denial arrives past its window,
 * when {@link #expire} is called a window after its first denial arrived, or at {@link #drain}. Not
 * thread-safe: one reader owns it.
 */
public final class BurstDeduplicator {
  private static final int MAX_BURSTS = 4096;

  private final Duration window;
  private final Map<Object, Burst> bursts = new LinkedHashMap<>();

  /**
   * @param window how long after a burst's first denial identical ones still join it; zero releases
   *     every denial on its own
   */
  public BurstDeduplicator(Duration window) {
    this.window = window;
  }

  /** Adds a denial read at {@code now}; returns the bursts it releases. */
  public List<EventPayload> add(EventPayload denial, Instant now) {
    List<EventPayload> released = new ArrayList<>();
    if (window.isZero()) {
      released.add(denial);
      return released;
    }
    Object key = key(denial);
    Burst burst = bursts.get(key);
    if (burst != null && !firstSeen(denial).isBefore(firstSeen(burst.merged).plus(window))) {
      released.add(bursts.remove(key).merged);
      burst = null;
    }
    if (burst == null) {
      bursts.put(key, new Burst(denial, now));
      if (bursts.size() > MAX_BURSTS) {
        Iterator<Burst> oldest = bursts.values().iterator();
        released.add(oldest.next().merged);
        oldest.remove();
      }
    } else {
      burst.merged = merge(burst.merged, denial);
    }
    return released;
  }

  /** Releases the bursts that arrived at least a window before {@code now}. */
  public List<EventPayload> expire(Instant now) {
    List<EventPayload> released = new ArrayList<>();
    Iterator<Burst> it = bursts.values().iterator();
    while (it.hasNext()) {
      Burst burst = it.next();
      if (!burst.arrived.plus(window).isAfter(now)) {
        released.add(burst.merged);
        it.remove();
      }
    }
    return released;
  }

  /** Releases every burst (at the end of the input). */
  public List<EventPayload> drain() {
    List<EventPayload> released = new ArrayList<>();
    bursts.values().forEach(b -> released.add(b.merged));
    bursts.clear();
    return released;
  }

  private static Object key(EventPayload denial) {
    if (denial instanceof SyscallDenied s) {
      return List.of(
          "syscall",
          Objects.toString(s.exe() != null ? s.exe() : s.comm()),
          s.arch(),
          s.syscallNr(),
          s.action(),
          Objects.toString(s.errno()));
    }
    LsmDenied l = (LsmDenied) denial;
    return List.of(
        "lsm",
        l.lsm(),
        Objects.toString(l.exe() != null ? l.exe() : l.comm()),
        l.operation(),
        Objects.toString(l.object()),
        Objects.toString(l.profile()),
        Objects.toString(l.scontext()),
        Objects.toString(l.tcontext()),
        Objects.toString(l.tclass()),
        l.outcome());
  }

  private static Instant firstSeen(EventPayload denial) {
    return denial instanceof SyscallDenied s ? s.firstSeen() : ((LsmDenied) denial).firstSeen();
  }

  static EventPayload merge(EventPayload a, EventPayload b) {
    if (a instanceof SyscallDenied s && b instanceof SyscallDenied t) {
      return new SyscallDenied(
          s.syscall(),
          s.syscallNr(),
          s.arch(),
          s.action(),
          s.errno(),
          s.pid(),
          s.comm(),
          s.exe(),
          s.uid(),
          s.container() != null ? s.container() : t.container(),
          s.seccompMode() != null ? s.seccompMode() : t.seccompMode(),
          s.count() + t.count(),
          min(s.firstSeen(), t.firstSeen()),
          max(s.lastSeen(), t.lastSeen()));
    }
    LsmDenied l = (LsmDenied) a;
    LsmDenied m = (LsmDenied) b;
    return new LsmDenied(
        l.lsm(),
        l.operation(),
        l.profile(),
        l.scontext(),
        l.tcontext(),
        l.tclass(),
        l.object(),
        l.requested(),
        l.denied(),
        l.outcome(),
        l.permissive(),
        l.pid(),
        l.comm(),
        l.exe(),
        l.container() != null ? l.container() : m.container(),
        l.count() + m.count(),
        min(l.firstSeen(), m.firstSeen()),
        max(l.lastSeen(), m.lastSeen()));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static final class Burst {
    final Instant arrived;
    EventPayload merged;

    Burst(EventPayload first, Instant arrived) {
      this.merged = first;
      this.arrived = arrived;
    }
  }
}
