package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.probes.ProbeOutput;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code valentia probe denials}: turns seccomp, AppArmor, SELinux and Landlock denials into
 * events, from the kernel log, an audit log, or any file or standard input of audit lines.
 */
@Command(
    name = "denials",
    mixinStandardHelpOptions = true,
    description = {
      "Watch for syscall (seccomp) and LSM (AppArmor, SELinux, Landlock) denials and print one"
          + " event per denial (a burst of identical ones is one event with a count).",
      "Reads /dev/kmsg (root), auditd's log (raw or ENRICHED), `ausearch -i` output, or any file"
          + " or standard input of such lines. Counts at the end go to standard error.",
      "Exit 0 when no denial was found, 1 when denials were found or a source failed, 2 on bad"
          + " usage."
    })
public final class DenialsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--kmsg", description = "Read the kernel log, /dev/kmsg (needs root).")
  boolean kmsg;

  @Option(
      names = "--audit-log",
      paramLabel = "FILE",
      description = "Read auditd's log, e.g. /var/log/audit/audit.log.")
  Path auditLog;

  @Option(
      names = "--file",
      paramLabel = "FILE|-",
      description = "Read a file of audit lines (any form), or standard input with -. Repeatable.")
  List<String> files = new ArrayList<>();

  @Option(names = "--once", description = "Read what is there and exit (else keep following).")
  boolean once;

  @Option(names = "--json", description = "Print each event as a CloudEvent JSON line.")
  boolean json;

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description =
          "Burst window: identical denials within it are one event (0s: none; default"
              + " ${DEFAULT-VALUE}).")
  String window;

  @Option(
      names = "--positions",
      paramLabel = "FILE",
      description = "Keep where each source left off in FILE and resume from there next time.")
  Path positionsFile;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description = "The host name in events (default: this machine's).")
  String host;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description = "Also publish to this Kafka (default: VALENTIA_KAFKA_BOOTSTRAP when set).")
  String kafka;

  @Option(
      names = "--timezone",
      paramLabel = "ZONE",
      description =
          "The time zone of the machine that ran `ausearch -i` (its dates are that machine's local"
              + " time) and of journal lines without an offset, e.g. Europe/Berlin or +02:00"
              + " (default: this machine's, ${sys:user.timezone}).")
  String timezone;

  @Option(
      names = "--kmsg-device",
      paramLabel = "PATH",
      hidden = true,
      defaultValue = "/dev/kmsg",
      description = "The kernel log device (for tests).")
  Path kmsgDevice;

  @Override
  public Integer call() throws Exception {
    Duration burstWindow;
    try {
      burstWindow = io.valentia.eventbus.config.Durations.parse(window);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--window: " + e.getMessage());
    }
    ZoneId zone;
    try {
      zone = timezone == null ? ZoneId.systemDefault() : ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new ParameterException(
          spec.commandLine(),
          "--timezone: not a time zone: " + timezone + " (e.g. UTC, Europe/Berlin, +02:00)");
    }
    if (!kmsg && auditLog == null && files.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "name a source: --kmsg, --audit-log FILE or --file FILE|-");
    }
    if (auditLog != null && !Files.isReadable(auditLog) && once) {
      throw new ParameterException(spec.commandLine(), "--audit-log: cannot read " + auditLog);
    }
    for (String file : files) {
      if (!file.equals("-") && !Files.isReadable(Path.of(file))) {
        throw new ParameterException(spec.commandLine(), "--file: cannot read " + file);
      }
    }
    if (files.stream().filter("-"::equals).count() > 1) {
      throw new ParameterException(spec.commandLine(), "--file -: standard input only once");
    }
    SourcePositions positions =
        positionsFile == null ? SourcePositions.inMemory() : SourcePositions.load(positionsFile);
    List<LineSource> sources = sources(positions);
    String hostName = host != null ? host : DenialsConfig.localHost();
    AtomicLong emitted = new AtomicLong();
    // SIGTERM or Ctrl-C: stop reading, and hold the JVM's exit until the counts are printed and
    // the output closed (events still buffered for Kafka are sent)
    CountDownLatch reported = new CountDownLatch(1);
    try {
      return run(sources, positions, hostName, zone, burstWindow, emitted, reported);
    } finally {
      reported.countDown();
    }
  }

  private int run(
      List<LineSource> sources,
      SourcePositions positions,
      String hostName,
      ZoneId zone,
      Duration burstWindow,
      AtomicLong emitted,
      CountDownLatch reported)
      throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (ProbeOutput output = new ProbeOutput(out, json, ProbeOutput.bootstrap(kafka))) {
      DenialWatcher watcher =
          new DenialWatcher(
              new AuditLineParser(zone),
              burstWindow,
              new ProcessAttribution(Path.of("/proc")),
              Clock.systemUTC(),
              hostName,
              event -> {
                EventPayload payload = EventCodec.instance().payload(event).orElseThrow();
                output.emit(event, DenialWatcher.describe(event, payload));
                emitted.incrementAndGet();
              });
      DenialReader reader = new DenialReader(watcher, sources, positions);
      Thread stopper =
          new Thread(
              () -> {
                reader.close();
                try {
                  reported.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "denials-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      try {
        List<String> failures = reader.run();
        failures.forEach(f -> err.println("valentia: " + f));
        printStats(err, watcher.stats(), zone);
        return emitted.get() > 0 || !failures.isEmpty() ? 1 : 0;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running
        }
      }
    }
  }

  private void printStats(PrintWriter err, DenialStats stats, ZoneId zone) {
    if (json) {
      ObjectNode counts = stats.toJson();
      if (stats.interpreted() > 0) {
        counts.put("timezone", zone.getId());
      }
      err.println("{\"stats\":" + counts + "}");
    } else {
      err.println("denials: " + stats);
      if (stats.interpreted() > 0) {
        err.println(
            "denials: "
                + stats.interpreted()
                + " ausearch -i records: their dates were read as local time in "
                + zone.getId()
                + (timezone == null ? " (this machine's zone; --timezone to change)" : ""));
      }
    }
    err.flush();
  }

  private List<LineSource> sources(SourcePositions positions) {
    List<LineSource> sources = new ArrayList<>();
    if (kmsg) {
      sources.add(
          new KernelLog(
              kmsgDevice,
              !once,
              positions.get(KernelLog.idOf(kmsgDevice)),
              Duration.ofMillis(500)));
    }
    List<Path> paths = new ArrayList<>();
    if (auditLog != null) {
      paths.add(auditLog);
    }
    for (String file : files) {
      if (file.equals("-")) {
        sources.add(new StreamLines("stdin", System.in));
      } else {
        paths.add(Path.of(file));
      }
    }
    for (Path path : paths) {
      sources.add(
          new AuditFile(
              path, !once, false, positions.get(AuditFile.idOf(path)), Duration.ofMillis(250)));
    }
    return sources;
  }
}
