package io.valentia.app;

import static io.valentia.app.ApiCalls.api;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.web.testing.BrowserScripts;
import io.valentia.web.testing.TestTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiments page on a real platform (the {@link SharedPlatform}: every role on the embedded
 * broker) whose chaos allow-list names two {@code sleep} processes set aside for this test, and not
 * a third one this test starts. In headless Chromium ({@code experiments.test.mjs} from the web
 * module's browser tests): a broken experiment shows its problem at its line, a dry run shows what
 * the allow-list refuses, a run started from the page shows its steps live while the sleeper is
 * really stopped and then continued, a long run is aborted from the page, schedules are created,
 * paused, resumed and deleted, a viewer's controls are disabled, and a hostile title stays text. A
 * screenshot at 1280x800 goes to {@code target/screenshots}.
 */
@DisplayName("The experiments page on a real platform with real processes to pause")
@ExtendWith(SharedPlatform.Resolver.class)
class ExperimentsPageIT {
  private static final String ADMIN = TestTokens.ADMIN;

  @TempDir static Path logs;
  private static final List<Process> SLEEPERS = new ArrayList<>();
  private static long shortSleeper;
  private static long longSleeper;
  private static long stranger;
  private static SharedPlatform shared;

  @BeforeAll
  static void start(SharedPlatform platform) throws Exception {
    shared = platform;
    shortSleeper = shared.sleeper(SharedPlatform.Sleeper.EXPERIMENTS_SHORT).pid();
    longSleeper = shared.sleeper(SharedPlatform.Sleeper.EXPERIMENTS_LONG).pid();
    stranger = sleeper(); // not on the allow-list
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : SLEEPERS) {
      new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "Shows a broken experiment's problem at its line and what the allow-list refuses, runs an"
          + " experiment whose steps appear live while the process is really paused and then"
          + " continued, aborts a long run, creates, pauses, resumes and deletes schedules, and keeps a"
          + " viewer's"
          + " controls disabled.")
  void experimentsPageWorks() throws Exception {
    BrowserScripts.requireBrowser();
    String base = shared.base();
    String run = UUID.randomUUID().toString().substring(0, 8);
    // the platform is shared: the runs of this test are those that were not there before
    Set<String> runsBefore = new HashSet<>();
    api(base, ADMIN, "GET", "/api/v1/experiments/runs", null)
        .body()
        .forEach(r -> runsBefore.add(r.path("runId").asText()));
    String operatorName = "exp-operator-" + run;
    String operator = token(base, operatorName, "operator");
    String viewer = token(base, "exp-viewer-" + run, "viewer");
    Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(screenshots);

    Path log = logs.resolve("experiments-browser.log");
    String output =
        BrowserScripts.run(
            "experiments.test.mjs",
            Map.of(
                "BASE_URL",
                base,
                "OPERATOR_TOKEN",
                operator,
                "VIEWER_TOKEN",
                viewer,
                "SHORT_PID",
                Long.toString(shortSleeper),
                "LONG_PID",
                Long.toString(longSleeper),
                "STRANGER_PID",
                Long.toString(stranger),
                "RUN",
                run,
                "SCREENSHOTS",
                screenshots.toString()),
            log);
    assertThat(output)
        .contains("ok - a broken experiment shows its problem at line")
        .contains("ok - the dry run names what the allow-list refuses")
        .contains("ok - the run's steps appear live")
        .contains("ok - the process was stopped during the fault and continued after it")
        .contains("ok - the long run was aborted from the page")
        .contains("ok - a schedule was created")
        .contains("ok - a schedule was paused (no next firing), resumed and paused again")
        .contains("ok - a schedule was deleted")
        .contains("ok - a viewer's controls are disabled and say why")
        .contains("ok - the hostile title is shown as text")
        .contains("ok - no console error and no failing request on the page");
    assertThat(screenshots.resolve("experiments.png")).isNotEmptyFile();

    // what the page did, as the API has it: one completed run and one aborted by the operator
    JsonNode runs = api(base, ADMIN, "GET", "/api/v1/experiments/runs", null).body();
    List<String> statuses = new ArrayList<>();
    for (JsonNode r : runs) {
      if (runsBefore.contains(r.path("runId").asText())) {
        continue;
      }
      JsonNode journal =
          api(base, ADMIN, "GET", "/api/v1/experiments/runs/" + r.path("runId").asText(), null)
              .body();
      statuses.add(journal.path("status").asText());
      if (journal.path("status").asText().equals("aborted")) {
        assertThat(journal.path("reason").asText()).contains("page test " + run);
      }
      if (journal.path("status").asText().equals("completed")) {
        assertThat(journal.path("run").findValuesAsText("name")).contains("pause-sleeper");
        assertThat(journal.path("rollbacks").findValuesAsText("name")).contains("count-after");
      }
    }
    assertThat(statuses).containsExactlyInAnyOrder("completed", "aborted");
    assertThat(state(shortSleeper)).isIn("S", "R");
    assertThat(state(longSleeper)).isIn("S", "R");
    assertThat(state(stranger)).isIn("S", "R");

    // the deleted schedule is gone, the kept one is there
    JsonNode schedules = api(base, ADMIN, "GET", "/api/v1/schedules", null).body();
    List<String> ids = new ArrayList<>();
    schedules.forEach(s -> ids.add(s.path("id").asText()));
    assertThat(ids).contains("keep-" + run).doesNotContain("gone-" + run);
    JsonNode keep = api(base, ADMIN, "GET", "/api/v1/schedules/keep-" + run, null).body();
    assertThat(keep.path("paused").asBoolean()).as(keep.toString()).isTrue();
    assertThat(keep.path("nextRun").isNull()).isTrue();
    assertThat(keep.path("options").path("jitter").asText()).isEqualTo("60000ms");
    assertThat(keep.path("options").path("blackouts").get(0).asText()).isEqualTo("02:00-03:00");
    assertThat(keep.path("options").path("concurrency").asText()).isEqualTo("forbid");
    // a viewer's token is refused by the API as well
    assertThat(api(base, viewer, "DELETE", "/api/v1/schedules/keep-" + run, null).status())
        .isEqualTo(403);
    assertThat(api(base, viewer, "POST", "/api/v1/experiments/plan", "{}").status()).isEqualTo(403);
  }

  private static long sleeper() throws IOException {
    Process p = new ProcessBuilder("sleep", "600").start();
    SLEEPERS.add(p);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "S".equals(state(p.pid())));
    return p.pid();
  }

  /** The state letter of {@code /proc/PID/stat}: {@code S} sleeping, {@code T} stopped. */
  private static String state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "gone";
    }
  }

  private static String token(String base, String name, String role) throws Exception {
    return ApiCalls.token(base, ADMIN, name, role);
  }
}
