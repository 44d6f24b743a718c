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

  /** Whether Valentia reads this check in detail (its OSD pairs), not only its status. */
  public static boolean understood(String check) {
    return check.equals(BACK) || check.equals(FRONT);
  }

  /**
   * Both checks as {@code ceph health detail} reported them. A check whose section is missing is
   * cleared only when the first line does not report it either: when that line says the heartbeats
   * on its interface are slow ({@code Slow OSD heartbeats on front (longest ...)}) but no section
   * follows (output cut short, or a section filtered out), the check is raised from that line.
   */
  public static List<HealthChanged> fromHealthDetail(CephHealth health) {
    List<HealthChanged> changes = new ArrayList<>();
    for (String name : List.of(BACK, FRONT)) {
      String iface = name.equals(BACK) ? "back" : "front";
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
              .or(() -> fromSummaryLine(health, name, iface))
              .orElse(cleared(name)));
    }
    return changes;
  }

  private static java.util.Optional<HealthChanged> fromSummaryLine(
      CephHealth health, String name, String iface) {
    String prefix = "Slow OSD heartbeats on " + iface;
    return health.summaries().stream()
        .filter(s -> s.startsWith(prefix + " ") || s.equals(prefix))
        .findFirst()
        .map(
            s ->
                new HealthChanged(
                    name,
                    "HEALTH_WARN",
                    s,
                    List.of(
                        "the first line reports it but no "
                            + name
                            + " section follows: the OSD pairs are not known"),
                    1));
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
