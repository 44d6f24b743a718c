package io.valentia.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Start-up time against the size of the history: for each N, on a fresh data directory, the
 * platform runs as a real child process (every role, the embedded broker), gets the ordinary amount
 * of state and N probe events on {@code valentia.events}, waits until the indexer has them all,
 * stops with SIGTERM and starts again; the second start is measured from the process start to the
 * first {@code /health} answer and to the first {@code HEALTH_OK}, polled every 50 ms, with the
 * {@code STATE_RESTORING} lines seen on the way.
 *
 * <p>Usage (from the repository root, after {@code mvn -pl app,bench -am package -DskipTests}):
 * {@code java -cp bench/target/valentia-bench.jar io.valentia.bench.StartupBenchmark [--events
 * 0,1000000,10000000] [--producers CORES] [--incidents 300] [--leases 50] [--schedules 20] [--mutes
 * 10] [--tokens 5] [--postmortems 10] [--root DIR] [--work DIR] [--java-opts "-Xmx1g"] [--no-cds]
 * [--poll-ms 50] [--ok-timeout-s 900] [--index-timeout-s 3600] [--no-index-wait] [--keep]}. Disk:
 * about 110 bytes of Kafka log (lz4) and 200 bytes of events index per event (200k events: 21 MiB
 * and 60 MiB in all; 10M events: about 3 GB); each data directory is deleted after its run unless
 * {@code --keep}. A run that fails deletes its data directory too (unless {@code --keep}); its
 * platform log stays in the work directory when {@code --work} is given.
 */
public final class StartupBenchmark {
  private static final String TOKEN = "vt_startup-benchmark-admin-token-0000000";

  /** The flags, with their defaults. */
  record Options(
      List<Long> events,
      int producers,
      PlatformFill.StateCounts state,
      Path root,
      Path work,
      List<String> javaOptions,
      boolean classDataSharing,
      Duration poll,
      Duration okTimeout,
      Duration indexTimeout,
      boolean indexWait,
      boolean keep) {

    static Options parse(String[] args) {
      List<Long> events = List.of(0L, 1_000_000L, 10_000_000L);
      int producers = Math.max(1, Runtime.getRuntime().availableProcessors());
      int incidents = 300;
      int leases = 50;
      int schedules = 20;
      int mutes = 10;
      int tokens = 5;
      int postmortems = 10;
      Path root = Path.of("").toAbsolutePath();
      Path work = null;
      List<String> javaOptions = List.of();
      boolean cds = true;
      long pollMs = 50;
      long okTimeout = 900;
      long indexTimeout = 3600;
      boolean indexWait = true;
      boolean keep = false;
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        switch (flag) {
          case "--no-cds" -> cds = false;
          case "--no-index-wait" -> indexWait = false;
          case "--keep" -> keep = true;
          case "--help", "-h" -> {
            System.out.println(usage());
            System.exit(0);
          }
          default -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(flag + " needs a value\n" + usage());
            }
            String value = args[++i];
            switch (flag) {
              case "--events" ->
                  events =
                      Arrays.stream(value.split(","))
                          .map(v -> Long.parseLong(v.strip().replace("_", "")))
                          .toList();
              case "--producers" -> producers = Integer.parseInt(value);
              case "--incidents" -> incidents = Integer.parseInt(value);
              case "--leases" -> leases = Integer.parseInt(value);
              case "--schedules" -> schedules = Integer.parseInt(value);
              case "--mutes" -> mutes = Integer.parseInt(value);
              case "--tokens" -> tokens = Integer.parseInt(value);
              case "--postmortems" -> postmortems = Integer.parseInt(value);
              case "--root" -> root = Path.of(value).toAbsolutePath();
              case "--work" -> work = Path.of(value).toAbsolutePath();
              case "--java-opts" ->
                  javaOptions = value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"));
              case "--poll-ms" -> pollMs = Long.parseLong(value);
              case "--ok-timeout-s" -> okTimeout = Long.parseLong(value);
              case "--index-timeout-s" -> indexTimeout = Long.parseLong(value);
              default ->
                  throw new IllegalArgumentException("unknown flag " + flag + "\n" + usage());
            }
          }
        }
      }
      return new Options(
          events,
          producers,
          new PlatformFill.StateCounts(incidents, leases, schedules, mutes, tokens, postmortems),
          root,
          work,
          javaOptions,
          cds,
          Duration.ofMillis(pollMs),
          Duration.ofSeconds(okTimeout),
          Duration.ofSeconds(indexTimeout),
          indexWait,
          keep);
    }

    static String usage() {
      return "usage: StartupBenchmark [--events 0,1000000,10000000] [--producers CORES] [--incidents 300]"
          + " [--leases 50]"
          + " [--schedules 20] [--mutes 10] [--tokens 5] [--postmortems 10] [--root DIR]"
          + " [--work DIR] [--java-opts OPTS] [--no-cds] [--poll-ms 50] [--ok-timeout-s 900]"
          + " [--index-timeout-s 3600] [--no-index-wait] [--keep]";
    }
  }

  /** One N's figures; times in ms, -1 when it did not happen. */
  record Row(
      long events,
      double produceRate,
      long indexWaitMillis,
      long kafkaBytes,
      long dataBytes,
      long stopMillis,
      PlatformProcess.Start first,
      PlatformProcess.Start restart) {}

  private StartupBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    boolean temporary = options.work() == null;
    Path work = temporary ? Files.createTempDirectory("valentia-startup-bench") : options.work();
    Files.createDirectories(work);
    PlatformProcess.Launch launch =
        new PlatformProcess.Launch(
            options.root(), options.javaOptions(), options.classDataSharing(), TOKEN);
    System.err.printf(
        Locale.ROOT,
        "startup benchmark: events %s, state: %s, work %s%n",
        options.events(),
        options.state(),
        work);
    List<Row> rows = new ArrayList<>();
    try {
      for (long n : options.events()) {
        rows.add(run(options, launch, work, n));
        System.out.print(table(rows, options));
      }
    } finally {
      if (temporary && !options.keep()) {
        IndexingBenchmark.deleteTree(work);
      }
    }
  }

  static Row run(Options options, PlatformProcess.Launch launch, Path work, long n)
      throws Exception {
    Path data = work.resolve("data-" + n);
    IndexingBenchmark.deleteTree(data);
    try {
      return run(options, launch, work, n, data);
    } finally {
      if (!options.keep()) {
        IndexingBenchmark.deleteTree(data);
      }
    }
  }

  private static Row run(
      Options options, PlatformProcess.Launch launch, Path work, long n, Path data)
      throws Exception {
    Path log = work.resolve("platform-" + n + ".log");
    Files.deleteIfExists(log);
    int httpPort = freePort();
    int kafkaPort = freePort();
    URI web = URI.create("http://127.0.0.1:" + httpPort);
    PlatformFill fill = new PlatformFill("127.0.0.1:" + kafkaPort, data, web, TOKEN);
    System.err.printf(Locale.ROOT, "N=%,d: first start on %s (log %s)%n", n, data, log);

    double rate;
    long indexWait = -1;
    long stopMillis;
    PlatformProcess.Start first;
    try (PlatformProcess platform = PlatformProcess.start(launch, data, log, httpPort, kafkaPort)) {
      first = platform.awaitOk(options.poll(), options.okTimeout());
      requireAnswered(first, platform, log);
      System.err.printf(Locale.ROOT, "  first start: %s%n", describe(first));
      fill.createState(options.state());
      System.err.printf(Locale.ROOT, "  state created: %s%n", options.state());
      // every bulk event has an id of its own, so each adds one document to the events index
      long searchableBefore = options.indexWait() ? fill.searchableWhenSettled() : 0;
      rate = fill.produceEvents(n, options.producers());
      System.err.printf(Locale.ROOT, "  produced %,d events at %,.0f events/s%n", n, rate);
      if (options.indexWait()) {
        long expected = searchableBefore + n;
        long waitStart = System.nanoTime();
        PlatformFill.awaitTrue(
            () -> fill.searchable() >= expected,
            expected + " events searchable",
            options.indexTimeout());
        indexWait = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart);
        System.err.printf(
            Locale.ROOT,
            "  %,d events searchable %,d ms after the last was produced%n",
            expected,
            indexWait);
      }
      stopMillis = platform.stop(Duration.ofMinutes(5));
      System.err.printf(Locale.ROOT, "  stopped (SIGTERM) in %,d ms%n", stopMillis);
    }
    long kafkaBytes = diskUsage(data.resolve("kafka"));
    long dataBytes = diskUsage(data);

    PlatformProcess.Start restart;
    try (PlatformProcess platform = PlatformProcess.start(launch, data, log, httpPort, kafkaPort)) {
      restart = platform.awaitOk(options.poll(), options.okTimeout());
      System.err.printf(Locale.ROOT, "  restart: %s%n", describe(restart));
      if (platform.alive()) {
        platform.stop(Duration.ofMinutes(5));
      }
    }
    return new Row(n, rate, indexWait, kafkaBytes, dataBytes, stopMillis, first, restart);
  }

  private static void requireAnswered(
      PlatformProcess.Start start, PlatformProcess platform, Path log) {
    if (start.firstAnswerMillis() < 0) {
      throw new IllegalStateException(
          "the platform never answered /health"
              + (platform.alive() ? "" : " (the process ended)")
              + "; see "
              + log);
    }
  }

  private static String describe(PlatformProcess.Start s) {
    return String.format(
        Locale.ROOT,
        "first /health answer %s, HEALTH_OK %s, \"up in\" %s, last status %s %s,"
            + " STATE_RESTORING lines %s%s",
        ms(s.firstAnswerMillis()),
        ms(s.okMillis()),
        ms(s.upMillis()),
        s.lastStatus(),
        s.lastChecks(),
        restoring(s.restoring()),
        s.ended() == null ? "" : "; the process " + s.ended());
  }

  static String table(List<Row> rows, Options options) {
    StringBuilder t =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%n| events | produce | index wait | Kafka log on disk | data dir on disk | SIGTERM stop"
                    + " | first start: HEALTH_OK | restart: first /health | restart: HEALTH_OK"
                    + " | restart: \"up in\" | restart: STATE_RESTORING lines seen |%n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|%n"));
    for (Row r : rows) {
      t.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              r.events(),
              r.events() == 0 ? "—" : String.format(Locale.ROOT, "%,.0f events/s", r.produceRate()),
              ms(r.indexWaitMillis()),
              mib(r.kafkaBytes()),
              mib(r.dataBytes()),
              ms(r.stopMillis()),
              ms(r.first().okMillis()),
              ms(r.restart().firstAnswerMillis()),
              r.restart().okMillis() >= 0
                  ? ms(r.restart().okMillis())
                  : r.restart().ended() != null
                      ? "never: the process " + r.restart().ended()
                      : "not reached ("
                          + r.restart().lastStatus()
                          + " "
                          + r.restart().lastChecks()
                          + ")",
              ms(r.restart().upMillis()),
              restoring(r.restart().restoring())));
    }
    t.append(
        String.format(
            Locale.ROOT,
            "%nstate per run: %s; /health polled every %d ms; JVM %s, %d cores%n",
            options.state(),
            options.poll().toMillis(),
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors()));
    return t.toString();
  }

  private static String restoring(Map<String, PlatformProcess.RestoreSeen> seen) {
    if (seen.isEmpty()) {
      return "none";
    }
    return seen.values().stream()
        .map(
            s ->
                s.firstLine().equals(s.lastLine())
                    ? "\"" + s.firstLine() + "\" at " + ms(s.firstMillis())
                    : "\""
                        + s.firstLine()
                        + "\" at "
                        + ms(s.firstMillis())
                        + " … \""
                        + s.lastLine()
                        + "\" at "
                        + ms(s.lastMillis()))
        .collect(Collectors.joining("; "));
  }

  private static String ms(long millis) {
    return millis < 0 ? "—" : String.format(Locale.ROOT, "%,.2f s", millis / 1000.0);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MiB", bytes / (1024.0 * 1024.0));
  }

  /**
   * The disk space {@code dir} takes, as {@code du} counts it: Kafka's index files are sparse
   * (preallocated), so their lengths would overstate it.
   */
  private static long diskUsage(Path dir) throws IOException, InterruptedException {
    Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (du.waitFor() != 0) {
      return IndexingBenchmark.size(dir);
    }
    return Long.parseLong(out.strip().split("\\s+")[0]) * 1024;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
