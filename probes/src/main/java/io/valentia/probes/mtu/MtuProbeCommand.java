package io.valentia.probes.mtu;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.probes.ProbeOutput;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia probe mtu}: probes peers for the path MTU and prints one line per result. */
@Command(
    name = "mtu",
    mixinStandardHelpOptions = true,
    description = {
      "Probe peers for the path MTU: the safe size, the jumbo size and, when the jumbo size"
          + " fails, a search for the largest size that passes, per direction (sizes tried in"
          + " parallel; progress on standard error when it is a terminal). UDP peers"
          + " run `valentia agent mtu-echo`; --icmp uses the system `ping -M do` instead.",
      "Prints one object per result (probe.mtu.ping, probe.mtu.mismatch, health.changed) and"
          + " publishes them when --kafka or VALENTIA_KAFKA_BOOTSTRAP names a broker.",
      "Exit 1 when a peer drops large packets or answers nothing, 2 on bad usage."
    })
public final class MtuProbeCommand implements Callable<Integer> {
  @Option(
      names = "--peer",
      required = true,
      split = ",",
      paramLabel = "HOST:PORT",
      description = "peers (the agents' UDP ports; with --icmp just hosts); repeatable")
  List<String> peers;

  @Option(names = "--icmp", description = "use the system ping -M do instead of the UDP agent")
  boolean icmp;

  @Option(
      names = "--sizes",
      split = ",",
      paramLabel = "BYTES",
      description = "payload sizes, the smallest is the safe one (default: 1472,8972)")
  List<Integer> sizes;

  @Option(names = "--once", description = "probe once and exit (else every --interval)")
  boolean once;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Durations.Converter.class,
      description = "time between rounds (default: ${DEFAULT-VALUE})")
  Duration interval;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = Durations.Converter.class,
      description = "how long to wait for one reply (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = "--attempts",
      defaultValue = "2",
      description = "tries before a size counts as failing (default: ${DEFAULT-VALUE})")
  int attempts;

  @Option(
      names = "--rate",
      defaultValue = "20",
      paramLabel = "PER_SECOND",
      description = "requests per second to one peer at most (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(
      names = "--max-in-flight",
      defaultValue = "16",
      description = "requests outstanding over all peers at most (default: ${DEFAULT-VALUE})")
  int maxInFlight;

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
    List<MtuPeer> targets = targets();
    MtuProbeSettings settings = settings();
    String host = name != null ? name : hostname();
    MtuEvents events = new MtuEvents(host);
    MtuHealth health = new MtuHealth(host);
    try (ProbeOutput output =
            new ProbeOutput(spec.commandLine().getOut(), json, ProbeOutput.bootstrap(kafka));
        MtuMeshProber prober = new MtuMeshProber(settings, progress())) {
      while (true) {
        List<PeerReport> reports = prober.round(targets);
        for (CloudEvent event : events.of(reports)) {
          output.emit(event, describe(event));
        }
        for (HealthChanged change : health.update(reports)) {
          CloudEvent event = events.health(change);
          output.emit(event, describe(event));
        }
        if (once) {
          return reports.stream().anyMatch(PeerReport::problem) ? 1 : 0;
        }
        try {
          Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 0;
        }
      }
    }
  }

  /**
   * Progress lines on standard error, only when a person is watching (a terminal): a search with
   * failing sizes waits a timeout per step, and silence for many seconds reads as a hang. Scripts
   * and pipes get only the results.
   */
  private java.util.function.Consumer<String> progress() {
    if (System.console() == null) {
      return line -> {};
    }
    PrintWriter err = spec.commandLine().getErr();
    return line -> {
      synchronized (err) {
        err.println("... " + line);
        err.flush();
      }
    };
  }

  private List<MtuPeer> targets() {
    List<MtuPeer> targets = new ArrayList<>();
    for (String peer : peers) {
      try {
        targets.add(MtuPeer.parse(peer, !icmp));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--peer " + e.getMessage());
      }
    }
    return targets;
  }

  private MtuProbeSettings settings() {
    List<Integer> chosen = sizes == null ? MtuProbeSettings.DEFAULT_SIZES : sizes;
    List<String> problems = new ArrayList<>();
    for (int size : chosen) {
      if (size < EchoProtocol.HEADER_BYTES || size > EchoProtocol.MAX_BYTES) {
        problems.add(
            "--sizes: "
                + size
                + " is not between "
                + EchoProtocol.HEADER_BYTES
                + " and "
                + EchoProtocol.MAX_BYTES);
      }
    }
    if (attempts < 1) {
      problems.add("--attempts must be at least 1");
    }
    if (!(rate > 0)) {
      problems.add("--rate must be above 0");
    }
    if (maxInFlight < 1) {
      problems.add("--max-in-flight must be at least 1");
    }
    if (timeout.isZero() || interval.isZero()) {
      problems.add("--timeout and --interval must be above 0");
    }
    if (!problems.isEmpty()) {
      throw new ParameterException(spec.commandLine(), String.join("; ", problems));
    }
    return new MtuProbeSettings(chosen, timeout, attempts, rate, maxInFlight, "ping");
  }

  private static String describe(CloudEvent event) {
    Object payload =
        EventType.of(event.type())
            .<Object>map(t -> EventCodec.MAPPER.convertValue(event.data(), t.payloadClass()))
            .orElse(null);
    return MtuEvents.describe(event, payload);
  }

  static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
