package io.valentia.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The crash-safety suite: {@link CrashTrials} run {@code --trials} times (default 20) on one data
 * directory, the platform killed with SIGKILL at a random moment of its work each time. Prints one
 * line per trial and a Markdown table of the totals: trials, events, lost, duplicated per thing
 * counted.
 *
 * <pre>
 * mvn -B -o -q -pl app,bench -am package -DskipTests -Dformat.skip
 * java -cp bench/target/valentia-bench.jar io.valentia.bench.CrashSafetyBenchmark \
 *   [--trials 20] [--first 1] [--seed 1] [--dir DIR] [--kill-min-ms 500] [--kill-max-ms 6000]
 * </pre>
 *
 * {@code --first N} numbers the trials from N, to go on with a directory a run left (each trial's
 * records are told apart by its number). Exits with 1 when anything was lost or duplicated.
 */
public final class CrashSafetyBenchmark {
  private CrashSafetyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int trials = 20;
    int first = 1;
    long seed = System.currentTimeMillis();
    Path dir = null;
    long killMin = 500;
    long killMax = 6000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--trials" -> trials = Integer.parseInt(args[++i]);
        case "--first" -> first = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--kill-min-ms" -> killMin = Long.parseLong(args[++i]);
        case "--kill-max-ms" -> killMax = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (dir == null) {
      dir = Files.createTempDirectory("valentia-crash-");
    }
    Path root = Path.of("").toAbsolutePath();
    Path jar = root.resolve("app/target/valentia.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it first");
    }
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-jar",
            jar.toString());
    System.out.printf(
        Locale.ROOT,
        "%d trials, seed %d, data and log in %s, load %.2f%n",
        trials,
        seed,
        dir,
        CrashTrials.loadAverage());
    List<CrashTrials.Trial> done = new ArrayList<>();
    int failedStarts;
    long started = System.nanoTime();
    try (CrashTrials suite =
        new CrashTrials(
            new CrashTrials.Launch(command, dir, "crash-bench-admin-token-0123456789abcdef"),
            seed,
            Duration.ofMinutes(3))) {
      for (int t = first; t < first + trials; t++) {
        CrashTrials.Trial trial =
            suite.trial(t, Duration.ofMillis(killMin), Duration.ofMillis(killMax));
        done.add(trial);
        System.out.println(line(trial));
      }
      failedStarts = suite.failedStarts();
    }
    System.out.println(table(done, (System.nanoTime() - started) / 1e9));
    System.out.println("restarts that failed and were tried again: " + failedStarts);
    boolean clean = done.stream().allMatch(t -> t.lost() == 0 && t.duplicated() == 0);
    System.exit(clean ? 0 : 1);
  }

  static String line(CrashTrials.Trial t) {
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "trial %2d: killed after %5d ms (load %5.2f), up again in %6d ms;",
                t.number(),
                t.killAfterMillis(),
                t.load(),
                t.restartMillis()));
    t.counts()
        .forEach(
            (what, c) ->
                s.append(
                    String.format(
                        Locale.ROOT,
                        " %s %d/%d lost %d dup %d;",
                        what,
                        c.found(),
                        c.acknowledged(),
                        c.lost(),
                        c.duplicated())));
    s.append(" redelivered ").append(t.redelivered());
    t.refusals()
        .forEach((what, first) -> s.append("; ").append(what).append(" refused: ").append(first));
    return s.toString();
  }

  static String table(List<CrashTrials.Trial> trials, double seconds) {
    Map<String, CrashTrials.Count> totals = new TreeMap<>();
    long events = 0;
    long redelivered = 0;
    for (CrashTrials.Trial t : trials) {
      t.counts().forEach((what, c) -> totals.merge(what, c, CrashTrials.Count::plus));
      events += t.events();
      redelivered += t.redelivered();
    }
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%n%d trials in %.0f s, %,d events and revisions acknowledged, %d notifications"
                + " redelivered under the same id%n%n",
            trials.size(),
            seconds,
            events,
            redelivered));
    s.append("| counted | acknowledged before the kills | found after the restarts | lost |")
        .append(" duplicated |\n|---|---|---|---|---|\n");
    totals.forEach(
        (what, c) ->
            s.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %d | %d |%n",
                    what,
                    c.acknowledged(),
                    c.found(),
                    c.lost(),
                    c.duplicated())));
    return s.toString();
  }
}
