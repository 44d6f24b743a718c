package io.valentia.probes.ceph;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.OsdPing;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one reading of Ceph's heartbeat data into events: a {@code probe.osd.ping} per OSD pair and
 * interface (subject {@code osd.FROM->osd.TO}) and {@code health.changed} for {@value
 * SlowPingChecks#BACK} and {@value SlowPingChecks#FRONT} (subject the check), which it understands
 * in detail, and for every other check {@code ceph health detail} reports, carried with Ceph's
 * severity, summary and detail as they are. Source {@code /probes/ceph/HOST}. Stateless and
 * thread-safe.
 */
public final class CephHeartbeatIngest {
  private final String source;
  private final double thresholdMs;
  private final OsdNetworkParser osdNetwork = new OsdNetworkParser();
  private final HealthDetailParser healthDetail = new HealthDetailParser();

  /**
   * @param host this host in the events' source
   * @param thresholdMs the slow-ping threshold in milliseconds
   */
  public CephHeartbeatIngest(String host, double thresholdMs) {
    this.source = "/probes/ceph/" + host;
    this.thresholdMs = thresholdMs;
  }

  /**
   * What one reading gave.
   *
   * @param pings the {@code probe.osd.ping} events
   * @param checks the two slow-ping checks, raised or cleared
   * @param otherChecks every other check of {@code ceph health detail}, as Ceph reported it (none
   *     without health detail)
   * @param problems input that was skipped, each naming where
   */
  public record Reading(
      List<CloudEvent> pings,
      List<HealthChanged> checks,
      List<HealthChanged> otherChecks,
      List<String> problems) {
    /** Whether a slow-ping check is raised. */
    public boolean slow() {
      return checks.stream().anyMatch(c -> !c.status().equals("HEALTH_OK"));
    }

    /** Whether any check, slow-ping or other, is raised. */
    public boolean raised() {
      return slow() || otherChecks.stream().anyMatch(c -> !c.status().equals("HEALTH_OK"));
    }

    /** Every check: the slow-ping ones, then the others. */
    public List<HealthChanged> allChecks() {
      List<HealthChanged> all = new ArrayList<>(checks);
      all.addAll(otherChecks);
      return all;
    }

    /** The worst status of all checks: {@code HEALTH_ERR}, {@code HEALTH_WARN} or OK. */
    public String status() {
      List<HealthChanged> all = allChecks();
      if (all.stream().anyMatch(c -> c.status().equals("HEALTH_ERR"))) {
        return "HEALTH_ERR";
      }
      return all.stream().anyMatch(c -> c.status().equals("HEALTH_WARN"))
          ? "HEALTH_WARN"
          : "HEALTH_OK";
    }
  }

  /**
   * Ingests a {@code dump_osd_network} document and, when not null, {@code ceph health detail}
   * output (text or JSON), which then decides the checks.
   *
   * @throws CephFormatException when either input is not its format at all
   */
  public Reading ingest(String osdNetworkJson, String healthDetailText) {
    OsdNetworkParser.Result dump = osdNetwork.parse(osdNetworkJson, thresholdMs);
    List<String> problems = new ArrayList<>();
    dump.problems().forEach(p -> problems.add("dump_osd_network " + p));
    List<HealthChanged> checks;
    List<HealthChanged> others = new ArrayList<>();
    if (healthDetailText != null) {
      CephHealth health = healthDetail.parse(healthDetailText);
      health.problems().forEach(p -> problems.add("health detail " + p));
      checks = SlowPingChecks.fromHealthDetail(health);
      for (CephHealth.Check check : health.checks()) {
        if (!SlowPingChecks.understood(check.name())) {
          others.add(
              new HealthChanged(
                  check.name(),
                  check.severity(),
                  check.summary(),
                  check.detail(),
                  Math.max(1, check.detail().size())));
        }
      }
    } else {
      checks = SlowPingChecks.fromPings(dump.pings(), thresholdMs);
    }
    List<CloudEvent> pings = new ArrayList<>();
    for (OsdPing ping : dump.pings()) {
      pings.add(
          CloudEvent.of(ping)
              .source(source)
              .subject("osd." + ping.fromOsd() + "->osd." + ping.toOsd())
              .severity(SlowPingChecks.time(ping) > thresholdMs ? Severity.WARNING : Severity.INFO)
              .build());
    }
    return new Reading(pings, checks, others, problems);
  }

  /** The {@code health.changed} event for a check. */
  public CloudEvent health(HealthChanged change) {
    return CloudEvent.of(change)
        .source(source)
        .subject(change.check())
        .severity(
            switch (change.status()) {
              case "HEALTH_ERR" -> Severity.CRITICAL;
              case "HEALTH_WARN" -> Severity.WARNING;
              default -> Severity.INFO;
            })
        .build();
  }
}
