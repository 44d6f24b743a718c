package io.valentia.probes.ceph;

import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.OsdPing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Ceph's slow heartbeat checks {@value #BACK} and {@value #FRONT}, as {@code health.changed}
 * payloads: taken from {@code ceph health detail} when it was given, else computed from {@code
 * dump_osd_network} the way the monitors do (an OSD pair whose 1-minute average, or last ping when
 * no average is reported, exceeds the threshold). A check not reported is cleared (HEALTH_OK).
 */
public final class SlowPingChecks {
  public static final String BACK = "OSD_SLOW_PING_TIME_BACK";
  public static final String FRONT = "OSD_SLOW_PING_TIME_FRONT";

  /** Ceph's default threshold ({@code mon_warn_on_slow_ping_time}, 1 s). */
  public static final double DEFAULT_THRESHOLD_MS = 1000;

  private SlowPingChecks() {}

  /** Both checks as {@code ceph health detail} reported them. */
  public static List<HealthChanged> fromHealthDetail(CephHealth health) {
    List<HealthChanged> changes = new ArrayList<>();
    for (String name : List.of(BACK, FRONT)) {
      changes.add(
          health
              .check(name)
              .map(
                  c ->
                      new HealthChanged(
                          name,
                          c.severity(),
                          c.summary(),
                          c.detail(),
                          Math.max(1, c.detail().size())))
              .orElse(cleared(name)));
    }
    return changes;
  }

  /** Both checks computed from the heartbeat entries and the threshold. */
  public static List<HealthChanged> fromPings(List<OsdPing> pings, double thresholdMs) {
    List<HealthChanged> changes = new ArrayList<>();
    for (String iface : List.of("back", "front")) {
      String name = iface.equals("back") ? BACK : FRONT;
      List<OsdPing> slow =
          pings.stream()
              .filter(p -> p.iface().equals(iface) && !p.stale() && time(p) > thresholdMs)
              .sorted(Comparator.comparingDouble(SlowPingChecks::time).reversed())
              .toList();
      if (slow.isEmpty()) {
        changes.add(cleared(name));
        continue;
      }
      List<String> detail = new ArrayList<>();
      for (OsdPing p : slow) {
        detail.add(
            String.format(
                Locale.ROOT,
                "Slow OSD heartbeats on %s from osd.%d to osd.%d %.3f msec",
                iface,
                p.fromOsd(),
                p.toOsd(),
                time(p)));
      }
      changes.add(
          new HealthChanged(
              name,
              "HEALTH_WARN",
              String.format(
                  Locale.ROOT,
                  "Slow OSD heartbeats on %s (longest %.3fms)",
                  iface,
                  time(slow.get(0))),
              detail,
              slow.size()));
    }
    return changes;
  }

  /** The time compared with the threshold: the 1-minute average, else the last ping. */
  static double time(OsdPing ping) {
    return ping.averageMs() != null ? ping.averageMs().m1() : ping.lastMs();
  }

  private static HealthChanged cleared(String name) {
    return new HealthChanged(name, "HEALTH_OK", "", List.of(), 0);
  }
}
