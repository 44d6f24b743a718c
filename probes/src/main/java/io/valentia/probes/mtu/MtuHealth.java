package io.valentia.probes.mtu;

import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The MTU mesh's health checks, from each round's reports: {@value #MISMATCH} (HEALTH_WARN) while a
 * peer passes small sizes but not large ones, {@value #UNREACHABLE} (HEALTH_WARN) while a peer
 * answers nothing. A check is reported after the first round (raised or cleared, so a stale raise
 * from an earlier run is cleared) and then whenever it changes. Not thread-safe: one prober loop
 * owns it.
 */
public final class MtuHealth {
  /** Small packets pass to a peer, large ones do not. */
  public static final String MISMATCH = "MTU_MISMATCH";

  /** A peer answers not even the safe size. */
  public static final String UNREACHABLE = "MTU_PEER_UNREACHABLE";

  private final String host;
  private final Map<String, HealthChanged> last = new HashMap<>();

  public MtuHealth(String host) {
    this.host = host;
  }

  /** The checks whose state this round changed (both after the first round). */
  public List<HealthChanged> update(List<PeerReport> reports) {
    List<HealthChanged> changed = new ArrayList<>();
    for (HealthChanged now : List.of(mismatch(reports), unreachable(reports))) {
      if (!now.equals(last.get(now.check()))) {
        last.put(now.check(), now);
        changed.add(now);
      }
    }
    return changed;
  }

  private HealthChanged mismatch(List<PeerReport> reports) {
    List<String> detail = new ArrayList<>();
    int peers = 0;
    for (PeerReport report : reports) {
      if (!report.mismatches().isEmpty()) {
        peers++;
      }
      for (MtuMismatch m : report.mismatches()) {
        detail.add(
            String.format(
                "%s -> %s %s: %d bytes pass, %d fail, path MTU about %d",
                host,
                m.peer(),
                m.direction(),
                m.largestPassingBytes(),
                m.smallestFailingBytes(),
                m.estimatedPathMtu()));
      }
    }
    if (peers == 0) {
      return new HealthChanged(MISMATCH, "HEALTH_OK", "", List.of(), 0);
    }
    return new HealthChanged(
        MISMATCH,
        "HEALTH_WARN",
        peers
            + (peers == 1 ? " peer drops" : " peers drop")
            + " large packets that small ones pass",
        detail,
        peers);
  }

  private HealthChanged unreachable(List<PeerReport> reports) {
    List<String> detail = new ArrayList<>();
    for (PeerReport report : reports) {
      if (report.unreachable()) {
        var ping = report.pings().get(0);
        detail.add(
            String.format(
                "%s -> %s: no answer to %d-byte %s echo",
                host, ping.peer(), ping.sizeBytes(), ping.mode()));
      }
    }
    if (detail.isEmpty()) {
      return new HealthChanged(UNREACHABLE, "HEALTH_OK", "", List.of(), 0);
    }
    return new HealthChanged(
        UNREACHABLE,
        "HEALTH_WARN",
        detail.size() + (detail.size() == 1 ? " peer answers" : " peers answer") + " no MTU probe",
        detail,
        detail.size());
  }
}
