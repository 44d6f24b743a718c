package io.valentia.probes.ceph;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.OsdPing;
import io.valentia.probes.ProbeOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia probe ceph}: ingests Ceph's heartbeat ping times. */
@Command(
    name = "ceph",
    mixinStandardHelpOptions = true,
    description = {
      "Ingest Ceph's OSD heartbeat ping times: `ceph daemon osd.N dump_osd_network 0` JSON and,"
          + " optionally, `ceph health detail` (text or --format json). Prints one object per"
          + " result (probe.osd.ping per OSD pair, health.changed for OSD_SLOW_PING_TIME_BACK"
          + " and _FRONT) and publishes them when --kafka or VALENTIA_KAFKA_BOOTSTRAP names a"
          + " broker. Without --health-detail the checks are computed from the dump: a pair"
          + " whose 1-minute average exceeds the threshold is slow. Every other check of"
          + " health detail is carried as health.changed with Ceph's severity and text.",
      "Exit 1 when heartbeats are slow, another check is raised or input lines were skipped, 2"
          + " on bad usage or input"
          + " that is not the format."
    })
public final class CephProbeCommand implements Callable<Integer> {
  @Option(
      names = "--osd-network",
      required = true,
      paramLabel = "FILE",
      description = "dump_osd_network JSON; - reads standard input")
  String osdNetwork;

  @Option(
      names = "--health-detail",
      paramLabel = "FILE",
      description = "ceph health detail output, text or JSON; - reads standard input")
  String healthDetail;

  @Option(
      names = "--threshold-ms",
      defaultValue = "1000",
      paramLabel = "MS",
      description = "slow-ping threshold in milliseconds (default: ${DEFAULT-VALUE})")
  double thresholdMs;

  @Option(
      names = "--name",
      paramLabel = "HOST",
      description = "how this host names itself in events (default: the host name)")
  String name;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description = "publish to this Kafka (default: VALENTIA_KAFKA_BOOTSTRAP, else only print)")
  String kafka;

  @Option(names = "--json", description = "print each event as a CloudEvent JSON line")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if ("-".equals(osdNetwork) && "-".equals(healthDetail)) {
      throw new ParameterException(
          spec.commandLine(), "only one of --osd-network and --health-detail can read stdin");
    }
    if (!(thresholdMs > 0)) {
      throw new ParameterException(spec.commandLine(), "--threshold-ms must be above 0");
    }
    String dump = read("--osd-network", osdNetwork);
    String health = healthDetail == null ? null : read("--health-detail", healthDetail);
    CephHeartbeatIngest ingest =
        new CephHeartbeatIngest(name != null ? name : hostname(), thresholdMs);
    CephHeartbeatIngest.Reading reading;
    try {
      reading = ingest.ingest(dump, health);
    } catch (CephFormatException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    try (ProbeOutput output =
        new ProbeOutput(spec.commandLine().getOut(), json, ProbeOutput.bootstrap(kafka))) {
      for (CloudEvent event : reading.pings()) {
        OsdPing p = EventCodec.MAPPER.convertValue(event.data(), OsdPing.class);
        output.emit(
            event,
            String.format(
                Locale.ROOT,
                "%s %-5s last %.3f ms%s%s",
                event.subject(),
                p.iface(),
                p.lastMs(),
                p.averageMs() == null
                    ? ""
                    : String.format(Locale.ROOT, ", 1min avg %.3f ms", p.averageMs().m1()),
                p.stale() ? " (stale)" : ""));
      }
      for (HealthChanged check : reading.allChecks()) {
        output.emit(
            ingest.health(check),
            check.check()
                + " "
                + check.status()
                + (check.summary().isEmpty() ? "" : ": " + check.summary())
                + (SlowPingChecks.understood(check.check())
                    ? ""
                    : " (as Ceph reported it; Valentia reads its severity only)"));
      }
    }
    if (health != null) {
      err.println(rollUp(reading));
    }
    if (!reading.problems().isEmpty()) {
      err.println(
          "skipped " + reading.problems().size() + " input entries that are not the format:");
      reading.problems().forEach(p -> err.println("  " + p));
      err.flush();
    }
    err.flush();
    return reading.raised() || !reading.problems().isEmpty() ? 1 : 0;
  }

  /** One line: the worst status, every raised check with its severity, what is read in detail. */
  static String rollUp(CephHeartbeatIngest.Reading reading) {
    List<String> raised = new ArrayList<>();
    for (HealthChanged check : reading.allChecks()) {
      if (!check.status().equals("HEALTH_OK")) {
        raised.add(check.check() + " " + check.status());
      }
    }
    return "ceph health: "
        + reading.status()
        + (raised.isEmpty() ? "" : " (" + String.join(", ", raised) + ")")
        + "; understood in detail: "
        + SlowPingChecks.BACK
        + ", "
        + SlowPingChecks.FRONT
        + (reading.otherChecks().isEmpty()
            ? ""
            : "; the other checks are carried with Ceph's severity and text");
  }

  private String read(String option, String file) {
    try {
      return file.equals("-")
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot read " + option + " " + file + ": " + e);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
