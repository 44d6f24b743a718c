package io.valentia.probes.denials;

import io.valentia.eventbus.EventIds;
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
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Folds a burst of identical denials: denials with the same executable (or command when no
 * executable was logged), syscall and action (for LSM denials: module, operation, object, profile
 * or contexts, outcome) whose times lie within one window of the burst's first are one burst.
 *
 * <p>The first denial of a burst is released at once, so a kill reaches the stream as it happens.
 * The ones that follow it within the window are folded into one denial with their count and
 * first/last time, released when the burst ends: when a denial arrives past its window, when {@link
 * #expire} is called a window after its first denial arrived, or at {@link #drain}. That release
 * names the burst's first one ({@link Release#firstId}) and its total ({@link Release#total}); a
 * burst of one releases nothing more. The counts of a burst's releases add up to its denials. Not
 * thread-safe: one reader owns it.
 */
public final class BurstDeduplicator {
  private static final int MAX_BURSTS = 4096;

  /**
   * A denial to publish.
   *
   * @param denial the first denial of a burst (count 1), or the rest of a burst that had more
   * @param id the id its event takes
   * @param firstId for the rest of a burst, the id of the burst's first denial; null for a first
   * @param total for the rest of a burst, how many denials the whole burst had; else the denial's
   *     count
   */
  public record Release(EventPayload denial, String id, String firstId, int total) {
    /** Whether this is the rest of a burst, following its first denial. */
    public boolean isRest() {
      return firstId != null;
    }
  }

  private final Duration window;
  private final Supplier<String> ids;
  private final Map<Object, Burst> bursts = new LinkedHashMap<>();

  /**
   * @param window how long after a burst's first denial identical ones still join it; zero releases
   *     every denial on its own
   */
  public BurstDeduplicator(Duration window) {
    this(window, EventIds::next);
  }

  /**
   * @param window as above
   * @param ids the ids of the events released (one per release)
   */
  public BurstDeduplicator(Duration window, Supplier<String> ids) {
    this.window = window;
    this.ids = ids;
  }

  /** Adds a denial read at {@code now}; returns what it releases, in order. */
  public List<Release> add(EventPayload denial, Instant now) {
    List<Release> released = new ArrayList<>();
    if (window.isZero()) {
      released.add(new Release(denial, ids.get(), null, count(denial)));
      return released;
    }
    Object key = key(denial);
    Burst burst = bursts.get(key);
    if (burst != null && !firstSeen(denial).isBefore(firstSeen(burst.first).plus(window))) {
      bursts.remove(key).rest().ifPresent(released::add);
      burst = null;
    }
    if (burst == null) {
      Burst started = new Burst(denial, ids.get(), now);
      bursts.put(key, started);
      released.add(new Release(denial, started.firstId, null, count(denial)));
      if (bursts.size() > MAX_BURSTS) {
        Iterator<Burst> oldest = bursts.values().iterator();
        oldest.next().rest().ifPresent(released::add);
        oldest.remove();
      }
    } else {
      burst.rest = burst.rest == null ? denial : merge(burst.rest, denial);
    }
    return released;
  }

  /** Ends the bursts whose first denial arrived at least a window before {@code now}. */
  public List<Release> expire(Instant now) {
    List<Release> released = new ArrayList<>();
    Iterator<Burst> it = bursts.values().iterator();
    while (it.hasNext()) {
      Burst burst = it.next();
      if (!burst.arrived.plus(window).isAfter(now)) {
        burst.rest().ifPresent(released::add);
        it.remove();
      }
    }
    return released;
  }

  /** Ends every burst (at the end of the input). */
  public List<Release> drain() {
    List<Release> released = new ArrayList<>();
    bursts.values().forEach(b -> b.rest().ifPresent(released::add));
    bursts.clear();
    return released;
  }

  private static int count(EventPayload denial) {
    return denial instanceof SyscallDenied s ? s.count() : ((LsmDenied) denial).count();
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

  private final class Burst {
    final EventPayload first;
    final String firstId;
    final Instant arrived;
    EventPayload rest;

    Burst(EventPayload first, String firstId, Instant arrived) {
      this.first = first;
      this.firstId = firstId;
      this.arrived = arrived;
    }

    /** The denials after the first, folded; empty when there were none. */
    Optional<Release> rest() {
      if (rest == null) {
        return Optional.empty();
      }
      return Optional.of(new Release(rest, ids.get(), firstId, count(first) + count(rest)));
    }
  }
}
