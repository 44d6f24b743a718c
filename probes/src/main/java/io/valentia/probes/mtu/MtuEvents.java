package io.valentia.probes.mtu;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of the MTU mesh as one host publishes them: source {@code /probes/mtu/HOST}; pings and
 * mismatches with subject {@code HOST->PEER} (so one pair's events stay in order), health changes
 * with the check's name as subject.
 */
public final class MtuEvents {
  private final String host;

  /**
   * @param host how this host names itself (a host name)
   */
  public MtuEvents(String host) {
    this.host = host;
  }

  public String host() {
    return host;
  }

  /** The source of every event this host publishes. */
  public String source() {
    return "/probes/mtu/" + host;
  }

  /** Pings then mismatches of one round, in the order they should be published. */
  public List<CloudEvent> of(List<PeerReport> reports) {
    List<CloudEvent> events = new ArrayList<>();
    for (PeerReport report : reports) {
      String subject = host + "->" + report.peer().display();
      for (MtuPing ping : report.pings()) {
        events.add(CloudEvent.of(ping).source(source()).subject(subject).build());
      }
      for (MtuMismatch mismatch : report.mismatches()) {
        events.add(CloudEvent.of(mismatch).source(source()).subject(subject).build());
      }
    }
    return events;
  }

  /** A {@code health.changed} event with the check as subject and a matching severity. */
  public CloudEvent health(HealthChanged change) {
    return CloudEvent.of(change)
        .source(source())
        .subject(change.check())
        .severity(severityOf(change.status()))
        .build();
  }

  static Severity severityOf(String status) {
    return switch (status) {
      case "HEALTH_ERR" -> Severity.CRITICAL;
      case "HEALTH_WARN" -> Severity.WARNING;
      default -> Severity.INFO;
    };
  }

  /** One line for people. */
  public static String describe(CloudEvent event, Object payload) {
    if (payload instanceof MtuPing p) {
      return p.ok()
          ? String.format(
              "%s  %5d B  ok    %.3f ms  (%s)",
              p.peer(), p.sizeBytes(), p.rttMicros() / 1000.0, p.mode())
          : String.format(
              "%s  %5d B  LOST  %s  (%s)",
              p.peer(), p.sizeBytes(), lostWay(p.direction()), p.mode());
    }
    if (payload instanceof MtuMismatch m) {
      return String.format(
          "%s  MTU MISMATCH %s: %d B pass, %d B fail, path MTU about %d",
          m.peer(),
          m.direction(),
          m.largestPassingBytes(),
          m.smallestFailingBytes(),
          m.estimatedPathMtu());
    }
    if (payload instanceof HealthChanged h) {
      return h.check() + " " + h.status() + (h.summary().isEmpty() ? "" : ": " + h.summary());
    }
    return event.type() + " " + event.subject();
  }

  private static String lostWay(String direction) {
    return switch (direction) {
      case "out" -> "request never arrived";
      case "in" -> "arrived, reply lost";
      default -> "no answer";
    };
  }
}
