package io.valentia.eventbus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The host an event is about, as its type defines it; null when the type defines none. Never
 * guessed from a subject that names something else (a file, a device, a check, a run):
 *
 * <ul>
 *   <li>{@code chaos.fault}: {@code data.host}, the injector's host;
 *   <li>{@code probe.*}: the {@code HOST} of the probe's source {@code /probes/NAME/HOST}; for MTU
 *       pings and mismatches without such a source, the first host of the subject {@code
 *       HOST->PEER} (or the subject, when it names one host), and for frame events the subject
 *       (their subject is the host);
 *   <li>{@code lease.*}: the lessor's host in the source {@code /leases/HOST[/...]};
 *   <li>{@code health.*} raised by a probe: the probe's host, as for {@code probe.*};
 *   <li>anything else (experiments, incidents, audit, postmortems, users' own types): none.
 * </ul>
 */
public final class EventHosts {
  private EventHosts() {}

  /** The host of {@code event}, or null when its type defines none. */
  public static String of(CloudEvent event) {
    String type = event.type();
    if (!EventType.isValentiaNamespace(type)) {
      return null;
    }
    if (type.equals(EventType.CHAOS_FAULT.type())) {
      return text(event.data() == null ? null : event.data().get("host"));
    }
    if (type.startsWith("io.valentia.probe.")) {
      String host = segment(event.source(), "probes", 2);
      if (host != null) {
        return host;
      }
      if (type.startsWith("io.valentia.probe.mtu.")) {
        return firstOfPair(event.subject());
      }
      if (type.startsWith("io.valentia.probe.frame.")) {
        return blankToNull(event.subject());
      }
      return null;
    }
    if (type.startsWith("io.valentia.lease.")) {
      return segment(event.source(), "leases", 1);
    }
    if (type.startsWith("io.valentia.health.")) {
      return segment(event.source(), "probes", 2);
    }
    return null;
  }

  /**
   * The {@code index}-th path segment after {@code /root} of {@code source}: {@code
   * /probes/mtu/osd-12} with root {@code probes} and index 2 gives {@code osd-12}.
   */
  private static String segment(String source, String root, int index) {
    if (source == null || !source.startsWith("/" + root + "/")) {
      return null;
    }
    String[] parts = source.substring(1).split("/");
    return parts.length > index ? blankToNull(parts[index]) : null;
  }

  private static String firstOfPair(String subject) {
    if (subject == null) {
      return null;
    }
    int arrow = subject.indexOf("->");
    return blankToNull(arrow >= 0 ? subject.substring(0, arrow) : subject);
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? blankToNull(node.asText()) : null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
