package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.InvalidExperimentException;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.testing.Fuzzing;
import io.valentia.eventbus.testing.Mutator;
import io.valentia.eventbus.testing.SampleEvents;
import io.valentia.notifications.inbound.AlertmanagerWebhook;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.store.InvalidPostmortemException;
import io.valentia.probes.ceph.CephFormatException;
import io.valentia.probes.ceph.HealthDetailParser;
import io.valentia.probes.ceph.OsdNetworkParser;
import io.valentia.probes.denials.AuditLine;
import io.valentia.probes.denials.AuditLineParser;
import io.valentia.web.stream.EventFilter;
import io.valentia.web.stream.FilterSyntaxException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * It is over 400 lines because {@link #targets} declares every parser that reads outside input in
 * one place, each with its samples, its tokens for mutation and the exceptions it may throw, so
 * that a new parser is added beside the others and none is fuzzed without being listed there; the
 * fuzz loop, the replay and the report that follow are short.
 *
 * <p>Fuzzes every parser that reads outside input with generated inputs, a million per parser
 * unless told otherwise: real samples (the modules' test fixtures and the formats' documentation)
 * mutated by the tests' {@link Mutator}, and random structure. The property is the fuzz tests' one:
 * a parse returns or throws the exception the parser declares, within a second. Each input is drawn
 * from {@code new Random(seed + i)}, so a finding names the seed that reproduces it. Prints
 * inputs/s and every distinct finding (exception type and where it was thrown, or a hang, with its
 * first input). Run from the repository root (it reads the fixtures from the source tree):
 *
 * <pre>
 * mvn -B -o -q -pl bench -am package -DskipTests -Dformat.skip
 * java -cp bench/target/valentia-bench.jar io.valentia.bench.ParserFuzzBenchmark \
 *   [--inputs 1000000] [--seed 1] [--only audit,markdown] [--timeout-ms 1000] [--threads 1]
 *   [--replay SEED]
 * </pre>
 *
 * With {@code --threads N} that many parsers are fuzzed at once; {@code --replay SEED} parses the
 * one input of that seed (of the parsers {@code --only} names) and prints how long it took. Exits
 * with 1 when anything was found.
 */
public final class ParserFuzzBenchmark {
  private ParserFuzzBenchmark() {}

  /** One parse of one input; what it may throw is the target's {@code declared} list. */
  @FunctionalInterface
  interface Parse {
    void parse(String input) throws Exception;
  }

  /** How a target's inputs are drawn. */
  @FunctionalInterface
  interface Draw {
    String draw(Random random);
  }

  record Target(String name, Draw draw, Parse parse, Set<Class<? extends Throwable>> declared) {}

  /** A distinct finding: what was thrown (or "hang") and where, and the first input found. */
  record Finding(String kind, String where, long seed, String input, String trace, int[] count) {}

  record Result(
      String name,
      long inputs,
      double seconds,
      long maxMicros,
      long refused,
      Map<String, Finding> findings,
      long unconfirmedSlow) {}

  public static void main(String[] args) throws Exception {
    long inputs = 1_000_000;
    long seed = 1;
    long timeoutMillis = 1_000;
    List<String> only = null;
    Long replay = null;
    int threads = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--inputs" -> inputs = Long.parseLong(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--timeout-ms" -> timeoutMillis = Long.parseLong(args[++i]);
        case "--only" -> only = Arrays.asList(args[++i].split(","));
        case "--replay" -> replay = Long.parseLong(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path root = Path.of("").toAbsolutePath();
    List<Target> targets = targets(root);
    System.out.printf(
        Locale.ROOT,
        "%,d inputs per parser, seed %d, limit %d ms per input, load %.2f%n",
        inputs,
        seed,
        timeoutMillis,
        CrashTrials.loadAverage());
    if (replay != null) {
      for (Target target : targets) {
        if (only == null || only.contains(target.name())) {
          replay(target, replay);
        }
      }
      return;
    }
    // the slowest first, so that the fast ones fill the threads around them
    List<String> slowestFirst =
        List.of(
            "markdown",
            "experiment-yaml",
            "experiment-json",
            "alertmanager",
            "ceph-network",
            "cloudevents",
            "ceph-health",
            "audit",
            "filter");
    targets.sort(
        java.util.Comparator.comparingInt(
            t -> slowestFirst.contains(t.name()) ? slowestFirst.indexOf(t.name()) : 99));
    List<Result> results = new ArrayList<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<Result>> running = new ArrayList<>();
    for (Target target : targets) {
      if (only != null && !only.contains(target.name())) {
        continue;
      }
      long s = seed;
      long n = inputs;
      long limit = timeoutMillis;
      running.add(
          pool.submit(
              () -> {
                Result result = run(target, n, s, limit);
                synchronized (System.out) {
                  System.out.println(line(result));
                  result
                      .findings()
                      .values()
                      .forEach(f -> System.out.println(describe(target.name(), f)));
                }
                return result;
              }));
    }
    for (java.util.concurrent.Future<Result> result : running) {
      results.add(result.get());
    }
    pool.shutdown();
    System.out.println(table(results));
    System.exit(results.stream().allMatch(r -> r.findings().isEmpty()) ? 0 : 1);
  }

  static List<Target> targets(Path root) throws IOException {
    List<Target> out = new ArrayList<>();

    List<String> audit = lines(root.resolve("probes/src/test/resources/fuzz/audit-lines.txt"));
    List<String> auditTokens =
        List.of(
            "type=",
            "msg=audit(",
            "audit(",
            "): ",
            " : ",
            "audit[",
            "]: ",
            "avc:  denied  { ",
            " } for ",
            "apparmor=",
            "arch=",
            "syscall=",
            "code=",
            "0x80000000",
            "c000003e",
            "pid=",
            "comm=",
            "exe=",
            "1741944413.589:",
            "03/14/25 09:26:53.589:",
            "Mar 14 09:26:53 ",
            "2025-03-14T10:26:53.589+0100 ",
            "\u001d",
            "kauditd_printk_skb: ",
            "UNKNOWN[",
            "errno(",
            "SECCOMP ",
            "AVC ");
    AuditLineParser auditParser = new AuditLineParser(ZoneOffset.UTC);
    out.add(
        new Target(
            "audit",
            r ->
                r.nextInt(10) < 7
                    ? Mutator.mutate(pick(audit, r), r, auditTokens)
                    : Mutator.randomText(r, "=\"' :(){}.,/0123456789abcdefx", auditTokens, 300),
            line -> {
              if (auditParser.parse(line) instanceof AuditLine.Unreadable u
                  && u.reason().startsWith("unreadable: ")) {
                throw new IllegalStateException("safety net: " + u.reason());
              }
            },
            Set.of()));

    Path ceph = root.resolve("probes/src/test/resources/ceph");
    List<String> health =
        List.of(
            read(ceph.resolve("health_detail.txt")),
            read(ceph.resolve("health_detail_before_nautilus.txt")),
            read(ceph.resolve("health_detail_scrub_errors.txt")),
            read(ceph.resolve("health_ok.txt")),
            read(ceph.resolve("health_detail.json")));
    List<String> network =
        List.of(
            read(ceph.resolve("dump_osd_network.json")),
            read(ceph.resolve("dump_osd_network_slow.json")));
    List<String> cephTokens =
        new ArrayList<>(
            List.of(
                "HEALTH_OK",
                "HEALTH_WARN",
                "HEALTH_ERR",
                "[WRN] ",
                "[ERR] ",
                "\n    ",
                "OSD_SLOW_PING_TIME_BACK",
                "osd.",
                " (down)",
                " msec",
                "ms)",
                "from osd.",
                " to osd."));
    health.forEach(s -> cephTokens.addAll(Mutator.tokensOf(s)));
    network.forEach(s -> cephTokens.addAll(Mutator.tokensOf(s)));
    HealthDetailParser healthParser = new HealthDetailParser();
    OsdNetworkParser networkParser = new OsdNetworkParser();
    out.add(
        new Target(
            "ceph-health",
            json(health, cephTokens, "[]():.,_ \n"),
            healthParser::parse,
            Set.of(CephFormatException.class)));
    out.add(
        new Target(
            "ceph-network",
            json(network, cephTokens, "{}[]\":,. 0123456789"),
            t -> networkParser.parse(t, 1000),
            Set.of(CephFormatException.class)));

    Path experiments = root.resolve("chaos-injector/src/test/resources/experiments");
    List<String> experimentJson = List.of(read(experiments.resolve("tls-certificate.json")));
    List<String> experimentYaml =
        List.of(
            read(experiments.resolve("every-feature.yaml")),
            read(experiments.resolve("broken.yaml")));
    List<String> experimentTokens =
        new ArrayList<>(
            List.of(
                "\n- ",
                "\n  ",
                ": ",
                "type: ",
                "provider:",
                "tolerance: ",
                "${",
                "}",
                "&anchor ",
                "*anchor",
                "<<: ",
                "!!binary ",
                "---\n",
                "...\n",
                "? "));
    experimentJson.forEach(s -> experimentTokens.addAll(Mutator.tokensOf(s)));
    ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());
    out.add(
        new Target(
            "experiment-json",
            json(experimentJson, experimentTokens, "{}[]\":,. "),
            t -> loadExperiment(loader, t, false),
            Set.of(InvalidExperimentException.class)));
    out.add(
        new Target(
            "experiment-yaml",
            r ->
                r.nextInt(10) < 7
                    ? Mutator.mutate(pick(experimentYaml, r), r, experimentTokens)
                    : Mutator.randomText(r, ":-[]{}&*!|>'\"# \n  ", experimentTokens, 400),
            t -> loadExperiment(loader, t, true),
            Set.of(InvalidExperimentException.class)));

    Path postmortems = root.resolve("postmortem-service/src/test/resources/postmortems");
    List<String> markdown =
        List.of(
            read(postmortems.resolve("sre-book.md")),
            read(postmortems.resolve("clean.md")),
            read(postmortems.resolve("blaming.md")));
    List<String> markdownTokens =
        List.of(
            "\n# ",
            "\n## ",
            "\n### ",
            "\n- ",
            "\n1. ",
            "\n> ",
            "\n    ",
            "\n```\n",
            "| a | b |\n|---|---|\n",
            "| ",
            " |",
            "**",
            "__",
            "[evidence: ",
            "]",
            "](",
            "<",
            "Status: ",
            "Date: ",
            "**Date:** ",
            "## Timeline",
            "## Action Items",
            "## Testimonies",
            "### ",
            ", given ",
            "Evidence: ",
            "2015-10-21T14:51:00Z",
            "14:51",
            " - ",
            " – ",
            "\n\n",
            "\\",
            "&amp;",
            "&#0;");
    out.add(
        new Target(
            "markdown",
            r ->
                r.nextInt(10) < 7
                    ? Mutator.mutate(pick(markdown, r), r, markdownTokens)
                    : Mutator.randomText(r, "#-*_>|`[]()!:\n ", markdownTokens, 600),
            md -> MarkdownPostmortem.render(MarkdownPostmortem.parse(md)),
            Set.of(InvalidPostmortemException.class)));

    List<String> events = new ArrayList<>();
    List<JsonNode> eventTrees = new ArrayList<>();
    for (EventType type : EventType.values()) {
      CloudEvent event = SampleEvents.event(type, "osd-12");
      events.add(EventCodec.instance().encodeToString(event));
      eventTrees.add(EventCodec.instance().toJson(event));
    }
    List<String> eventTokens = new ArrayList<>();
    events.forEach(s -> eventTokens.addAll(Mutator.tokensOf(s)));
    out.add(
        new Target(
            "cloudevents",
            json(events, eventTokens, "{}[]\":,. "),
            t -> {
              EventCodec.instance().decode(EventCodec.MAPPER.readTree(t));
              EventCodec.instance().decode(t.getBytes(StandardCharsets.UTF_8));
            },
            Set.of(InvalidEventException.class, IOException.class)));

    List<String> filters = lines(root.resolve("web/src/test/resources/fuzz/filters.txt"));
    List<String> filterTokens =
        List.of(
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            " in ",
            "&&",
            "||",
            "!",
            "(",
            ")",
            "[",
            "]",
            ".",
            ",",
            "has(",
            "size()",
            ".startsWith(",
            ".endsWith(",
            ".contains(",
            ".matches(",
            "'",
            "\"",
            "\\",
            "data",
            "data.",
            "type",
            "subject",
            "severity",
            "source",
            "time",
            "id",
            "null",
            "true",
            "false",
            "1e308",
            "-0",
            "0x10",
            "'(a+)+$'",
            "'.*.*.*x'",
            "'[a-'",
            "'\\\\'");
    out.add(
        new Target(
            "filter",
            r ->
                r.nextInt(10) < 7
                    ? Mutator.mutate(pick(filters, r), r, filterTokens)
                    : Mutator.randomText(r, "abc._'\" ()[]!=<>&|0123", filterTokens, 120),
            e -> {
              EventFilter filter = EventFilter.compile(e);
              for (JsonNode event : eventTrees) {
                filter.test(event);
              }
            },
            Set.of(FilterSyntaxException.class)));

    List<String> alertmanager =
        List.of(read(root.resolve("notifications/src/test/resources/fuzz/alertmanager-v4.json")));
    List<String> alertTokens = Mutator.tokensOf(alertmanager.get(0));
    out.add(
        new Target(
            "alertmanager",
            json(alertmanager, alertTokens, "{}[]\":,. "),
            t -> {
              List<String> problems = new ArrayList<>();
              List<CloudEvent> made =
                  AlertmanagerWebhook.events(EventCodec.MAPPER.readTree(t), problems);
              if (problems.isEmpty()) {
                for (CloudEvent event : made) {
                  EventCodec.instance().decode(EventCodec.instance().encode(event));
                }
              }
            },
            Set.of(IOException.class)));
    return out;
  }

  /** Parses the one input drawn with {@code seed} five times and prints how long each took. */
  private static void replay(Target target, long seed) {
    String input = target.draw().draw(new Random(seed));
    System.out.println(target.name() + " input of seed " + seed + ": " + Fuzzing.quote(input));
    for (int i = 0; i < 5; i++) {
      long begin = System.nanoTime();
      String outcome = "returned";
      try {
        target.parse().parse(input);
      } catch (Throwable t) {
        outcome = t.toString();
      }
      System.out.printf(Locale.ROOT, "  %,d µs: %s%n", (System.nanoTime() - begin) / 1000, outcome);
    }
  }

  private static void loadExperiment(ExperimentLoader loader, String text, boolean yaml) {
    ExperimentLoader.Loaded loaded = loader.parse(text, yaml);
    if (loaded.valid() != (loaded.experiment() != null)) {
      throw new IllegalStateException("valid but no experiment, or the other way round");
    }
    if (loaded.valid()) {
      loader.resolve(loaded, Map.of(), "fuzz");
    }
  }

  /** Mutated as text, mutated as JSON, or random JSON or text. */
  private static Draw json(List<String> samples, List<String> tokens, String alphabet) {
    return r -> {
      int kind = r.nextInt(10);
      if (kind < 4) {
        return Mutator.mutate(pick(samples, r), r, tokens);
      }
      if (kind < 8) {
        return Mutator.mutateJson(pick(samples, r), r, tokens);
      }
      return kind == 8
          ? Mutator.randomJson(r, 4, tokens).toString()
          : Mutator.randomText(r, alphabet, tokens, 300);
    };
  }

  private static String pick(List<String> samples, Random random) {
    return samples.get(random.nextInt(samples.size()));
  }

  private static List<String> lines(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(line.replace("\\u001d", "\u001d"));
      }
    }
    return out;
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file);
  }

  /**
   * Runs {@code inputs} inputs of {@code target} on a thread of its own (a thread's usual stack, as
   * the platform's threads have), watched: an input still running after {@code timeoutMillis} is a
   * hang, reported with where the thread was.
   */
  static Result run(Target target, long inputs, long seed, long timeoutMillis)
      throws InterruptedException {
    Map<String, Finding> findings = new LinkedHashMap<>();
    long[] refused = {0};
    long[] maxNanos = {0};
    long[] started = {0};
    long[] current = {-1};
    long[] done = {0};
    String[] currentInput = {null};
    Object lock = new Object();
    Thread worker =
        new Thread(
            () -> {
              for (long i = 0; i < inputs; i++) {
                Random random = new Random(seed + i);
                String input = target.draw().draw(random);
                long begin = System.nanoTime();
                synchronized (lock) {
                  current[0] = i;
                  currentInput[0] = input;
                  started[0] = begin;
                }
                Throwable thrown = null;
                try {
                  target.parse().parse(input);
                } catch (Throwable t) {
                  thrown = t;
                }
                long took = System.nanoTime() - begin;
                synchronized (lock) {
                  current[0] = -1;
                  done[0] = i + 1;
                  maxNanos[0] = Math.max(maxNanos[0], took);
                  if (thrown != null) {
                    Throwable t = thrown;
                    if (target.declared().stream().anyMatch(d -> d.isInstance(t))) {
                      refused[0]++;
                    } else {
                      record(findings, t.getClass().getName(), where(t), seed + i, input, trace(t));
                    }
                  }
                }
              }
            },
            "fuzz-" + target.name());
    long begin = System.nanoTime();
    worker.setDaemon(true);
    worker.start();
    long reportedHang = -1;
    long nextProgress = begin + TimeUnit.MINUTES.toNanos(1);
    while (worker.isAlive()) {
      worker.join(100);
      synchronized (lock) {
        if (System.nanoTime() > nextProgress) {
          nextProgress += TimeUnit.MINUTES.toNanos(1);
          double elapsed = (System.nanoTime() - begin) / 1e9;
          System.out.printf(
              Locale.ROOT,
              "  %s: %,d inputs in %.0f s (%,.0f/s), %d distinct findings so far, load %.2f%n",
              target.name(),
              done[0],
              elapsed,
              done[0] / elapsed,
              findings.size(),
              CrashTrials.loadAverage());
        }
        if (current[0] >= 0 && System.nanoTime() - started[0] > TimeUnit.MINUTES.toNanos(1)) {
          System.out.println(target.name() + ": an input has run for a minute; the run stops here");
          worker.interrupt();
          break;
        }
        if (current[0] >= 0
            && current[0] != reportedHang
            && System.nanoTime() - started[0] > TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
          reportedHang = current[0];
          StringBuilder stack = new StringBuilder();
          for (StackTraceElement e : worker.getStackTrace()) {
            stack.append("\tat ").append(e).append('\n');
          }
          record(
              findings,
              "hang over " + timeoutMillis + " ms",
              whereIn(worker.getStackTrace()),
              seed + current[0],
              currentInput[0],
              stack.toString());
        }
      }
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    // on a loaded machine an input may miss the limit for want of a core: a hang is one that
    // misses it again when parsed alone, best of three
    long[] unconfirmed = {0};
    findings
        .values()
        .removeIf(
            f -> {
              if (!f.kind().startsWith("hang")) {
                return false;
              }
              long best = Long.MAX_VALUE;
              for (int i = 0; i < 3 && best > TimeUnit.MILLISECONDS.toNanos(timeoutMillis); i++) {
                long b = System.nanoTime();
                try {
                  target.parse().parse(f.input());
                } catch (Throwable ignored) {
                  // only the time counts here
                }
                best = Math.min(best, System.nanoTime() - b);
              }
              boolean slowAlone = best > TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
              if (!slowAlone) {
                unconfirmed[0] += f.count()[0];
              }
              return !slowAlone;
            });
    return new Result(
        target.name(),
        inputs,
        seconds,
        TimeUnit.NANOSECONDS.toMicros(maxNanos[0]),
        refused[0],
        findings,
        unconfirmed[0]);
  }

  private static void record(
      Map<String, Finding> findings,
      String kind,
      String where,
      long seed,
      String input,
      String trace) {
    Finding f =
        findings.computeIfAbsent(
            kind + " at " + where, k -> new Finding(kind, where, seed, input, trace, new int[1]));
    f.count()[0]++;
  }

  /** The first frame of Valentia's code, where the exception came from. */
  private static String where(Throwable t) {
    return whereIn(t.getStackTrace());
  }

  private static String whereIn(StackTraceElement[] stack) {
    for (StackTraceElement e : stack) {
      if (e.getClassName().startsWith("io.valentia.")
          && !e.getClassName().startsWith("io.valentia.bench.")) {
        return e.toString();
      }
    }
    return stack.length > 0 ? stack[0].toString() : "?";
  }

  private static String trace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    String[] lines = out.toString().split("\n");
    return String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 25)));
  }

  static String line(Result r) {
    return String.format(
        Locale.ROOT,
        "%-16s %,d inputs in %.1f s: %,.0f inputs/s, %,d refused as declared, slowest %,d µs,"
            + " %d over the limit under load but not alone, %d distinct findings",
        r.name(),
        r.inputs(),
        r.seconds(),
        r.inputs() / r.seconds(),
        r.refused(),
        r.maxMicros(),
        r.unconfirmedSlow(),
        r.findings().size());
  }

  static String describe(String target, Finding f) {
    return String.format(
        Locale.ROOT,
        "  FINDING %s: %s at %s, %d times; first with seed %d: %s%n%s",
        target,
        f.kind(),
        f.where(),
        f.count()[0],
        f.seed(),
        Fuzzing.quote(f.input()),
        f.trace());
  }

  static String table(List<Result> results) {
    StringBuilder s = new StringBuilder();
    s.append("\n| parser | inputs | seconds | inputs/s | refused as declared | slowest input |")
        .append(
            " over the limit under load only | findings |\n|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.1f | %,.0f | %,d | %,.1f ms | %d | %d |%n",
              r.name(),
              r.inputs(),
              r.seconds(),
              r.inputs() / r.seconds(),
              r.refused(),
              r.maxMicros() / 1000.0,
              r.unconfirmedSlow(),
              r.findings().size()));
    }
    return s.toString();
  }
}
