package io.valentia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short run of the crash-safety suite ({@link CrashSafetyBenchmark} runs 20 trials): three
 * SIGKILLs of a whole platform, each in the middle of ingestion, incident opening, postmortem
 * writing and notification delivery at once.
 */
@DisplayName("A platform killed with SIGKILL three times in the middle of its work")
class CrashSafetyIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  @DisplayName(
      "loses nothing it acknowledged and duplicates nothing: Kafka records, index documents,"
          + " incidents, postmortem revisions and delivered notifications")
  void twoKillsLoseAndDuplicateNothing() throws Exception {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-cp",
            classpath,
            "io.valentia.app.Valentia");
    System.out.println("the platform's data and log are in " + dir + " (kept when this fails)");
    List<CrashTrials.Trial> trials = new ArrayList<>();
    try (CrashTrials suite =
        new CrashTrials(
            new CrashTrials.Launch(command, dir, "crash-it-admin-token-0123456789abcdef"),
            System.nanoTime(),
            Duration.ofMinutes(3))) {
      for (int t = 1; t <= 2; t++) {
        CrashTrials.Trial trial =
            suite.trial(t, Duration.ofMillis(500), Duration.ofMillis(3000), true);
        System.out.println(CrashSafetyBenchmark.line(trial));
        trials.add(trial);
      }
    }
    for (CrashTrials.Trial trial : trials) {
      trial
          .counts()
          .forEach(
              (what, count) -> {
                assertThat(count.acknowledged())
                    .as("trial %d: %s acknowledged before the kill", trial.number(), what)
                    .isPositive();
                assertThat(count.lost())
                    .as("trial %d: %s lost; %s", trial.number(), what, count)
                    .isZero();
                assertThat(count.duplicated())
                    .as("trial %d: %s duplicated; %s", trial.number(), what, count)
                    .isZero();
              });
    }
  }
}
