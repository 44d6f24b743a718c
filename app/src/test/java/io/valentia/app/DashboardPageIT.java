package io.valentia.app;

import static io.valentia.app.ApiCalls.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.app.ApiCalls.Answer;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.web.testing.BrowserScripts;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard and the event search page on a real platform (the {@link SharedPlatform}: every
 * role on the embedded broker), in headless Chromium ({@code dashboard.test.mjs} from the web
 * module's browser tests). A chaos run pauses a {@code sleep} process the platform's configuration
 * allows and no other test pauses; the dashboard shows the run and its fault, and its "Halt all
 * chaos" button, confirmed with a reason, reverts the fault: the process runs again. The search
 * page finds and pages events this test published. Event data with markup renders as text on both
 * pages. Screenshots at 1280×800 go to {@code target/screenshots}.
 */
@DisplayName("The dashboard and the search page on a real platform with a real chaos fault")
@ExtendWith(SharedPlatform.Resolver.class)
class DashboardPageIT {
  private static final String HOSTILE = "<img src=x onerror=\"window.__pwned=1\">";
  private static final int PAGED_EVENTS = 27;

  @TempDir static Path logs;
  private static SharedPlatform shared;
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;

  @BeforeAll
  static void start(SharedPlatform platform) {
    shared = platform;
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, shared.kafka(), "dashboard-page-it");
  }

  @AfterAll
  static void stop() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "The dashboard's Halt all chaos, confirmed with a reason, reverts a running process-pause"
          + " fault (the paused process runs again) and sets the halt switch, which Release lifts;"
          + " the search page finds, facets and pages published events; markup in event data"
          + " stays text on both pages.")
  void dashboardHaltsAndSearchPages() throws Exception {
    haltAndSearch(
        shared.base(),
        SharedPlatform.ADMIN,
        publisher,
        shared.sleeper(SharedPlatform.Sleeper.DASHBOARD),
        logs);
  }

  /**
   * The scenario of this test against the platform at {@code base} (the web role, with the
   * postmortem and chaos roles here or behind its gateway): {@code sleeper} is the only pid the
   * chaos configuration allows, {@code publisher} writes to the platform's Kafka.
   */
  static void haltAndSearch(
      String base, String admin, KafkaEventPublisher publisher, Process sleeper, Path data)
      throws Exception {
    BrowserScripts.requireBrowser();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String operator = ApiCalls.token(base, admin, "dashboard-operator-" + run, "operator");

    // hostile data in a lease revocation and a seccomp denial, and an event of an incident
    String word = "wombat" + run;
    String incidentId = "inc-" + run;
    publish(
        publisher,
        CloudEvent.of(
                new LeaseRevoked(
                    "l-" + run,
                    "/dev/dri/card0",
                    new Lessee("vr-" + run, 4242L),
                    "lessor-revoke",
                    word + " " + HOSTILE))
            .source("/leases/test")
            .subject("hmd-" + run + " " + HOSTILE));
    publish(
        publisher,
        CloudEvent.of(
                new SyscallDenied(
                    "ptrace",
                    101,
                    "x86_64",
                    "KILL_PROCESS",
                    null,
                    4242,
                    word + " " + HOSTILE,
                    "/usr/bin/renderer",
                    1000L,
                    null,
                    null,
                    1,
                    Instant.now(),
                    Instant.now()))
            .source("/probes/seccomp/test")
            .subject("renderer-" + run)
            .incidentId(incidentId));
    // events to page through: more than one page of 20
    Instant first = Instant.now();
    for (int i = 0; i < PAGED_EVENTS; i++) {
      publish(
          publisher,
          CloudEvent.builder("com.example.dashboard.page.v1")
              .source("/test/dashboard")
              .subject("page-" + run + "-" + (i % 3))
              .data(json("{\"n\":%d,\"note\":\"capybara%s number %d\"}".formatted(i, run, i))));
    }
    // an MTU black hole whose subject carries markup, so that an incident opens
    String subject = "osd-1->" + HOSTILE + "-" + run;
    publish(
        publisher,
        CloudEvent.of(new MtuMismatch("osd-7", 1472, 8972, 1500, "out"))
            .source("/probes/mtu/test")
            .subject(subject));
    for (int i = 0; i < 3; i++) {
      publish(
          publisher,
          CloudEvent.of(new MtuPing("10.0.1.7:7", 8972, false, null, "out", "udp"))
              .source("/probes/mtu/test")
              .subject(subject));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                total(base, admin, "capybara" + run) == PAGED_EVENTS
                    && total(base, admin, word) == 2);
    String openedIncident =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> incidentOf(base, admin, subject), id -> id != null);

    // a chaos run pausing the sleeper for ten minutes: only a halt ends it sooner
    Answer posted =
        api(
            base,
            operator,
            "POST",
            "/api/v1/experiments/runs",
            """
            {"title": "pause the sleeper %s", "method": [
              {"type": "action", "name": "pause-sleeper", "provider": {"type": "valentia",
                "fault": "process-pause", "arguments": {"pid": %d, "duration": "10m"}}}]}
            """
                .formatted(run, sleeper.pid()));
    assertThat(posted.status()).as(posted.body().toString()).isEqualTo(202);
    String runId = posted.body().path("runId").asText();
    await().atMost(Duration.ofSeconds(30)).until(() -> state(sleeper.pid()), "T"::equals);
    // the injector counts the fault once the signal is sent: a moment after the process stopped
    JsonNode armed =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> api(base, operator, "GET", "/api/v1/halt", null).body(),
                state -> state.path("activeFaults").asInt() == 1);
    assertThat(armed.path("halted").asBoolean()).as(armed.toString()).isFalse();

    Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(screenshots);
    Path log = data.resolve("dashboard-browser.log");
    String output =
        BrowserScripts.run(
            "dashboard.test.mjs",
            Map.ofEntries(
                Map.entry("BASE_URL", base),
                Map.entry("OPERATOR_TOKEN", operator),
                Map.entry("RUN", run),
                Map.entry("RUN_ID", runId),
                Map.entry("SLEEPER_PID", Long.toString(sleeper.pid())),
                Map.entry("INCIDENT_ID", incidentId),
                Map.entry("OPENED_INCIDENT", openedIncident),
                Map.entry("WORD", word),
                Map.entry("PAGED_WORD", "capybara" + run),
                Map.entry("PAGED_EVENTS", Integer.toString(PAGED_EVENTS)),
                // whole seconds: Chromium shortens a datetime-local value of .740 to .74, which the
                // browser test's fill of the time range then takes for a malformed value
                Map.entry(
                    "SINCE",
                    first
                        .minusSeconds(1)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString()),
                Map.entry("SCREENSHOTS", screenshots.toString())),
            log);
    assertThat(output)
        .contains("ok - the dashboard shows the run and its process-pause fault")
        .contains("ok - Halt all chaos reverted the fault: the sleeper runs again")
        .contains("ok - Release lifts the halt")
        .contains("ok - the search page pages through")
        .contains("ok - markup in event data is text on the dashboard")
        .contains("ok - markup in event data is text on the search page")
        .contains("ok - no console error and no failing request");

    // on the machine: the process runs, the run was interrupted by the halt, and the page's
    // release left the switch off
    assertThat(state(sleeper.pid())).isIn("S", "R");
    JsonNode journal =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> api(base, operator, "GET", "/api/v1/experiments/runs/" + runId, null).body(),
                j -> !j.path("status").asText().equals("running"));
    assertThat(journal.path("status").asText()).as(journal.toString()).isEqualTo("interrupted");
    JsonNode after = api(base, operator, "GET", "/api/v1/halt", null).body();
    assertThat(after.path("halted").asBoolean()).as(after.toString()).isFalse();
    assertThat(after.path("activeFaults").asInt()).as(after.toString()).isZero();
    for (String page : List.of("dashboard.png", "dashboard-halted.png", "search.png")) {
      assertThat(screenshots.resolve(page)).isNotEmptyFile();
    }
  }

  private static void publish(KafkaEventPublisher publisher, CloudEvent.Builder event)
      throws Exception {
    publisher
        .publish(event.build())
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static JsonNode json(String text) throws IOException {
    return EventCodec.MAPPER.readTree(text);
  }

  private static long total(String base, String admin, String query) throws Exception {
    return api(
            base,
            admin,
            "GET",
            "/api/v1/events/search?facet=none&size=1&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8),
            null)
        .body()
        .path("total")
        .asLong();
  }

  private static String incidentOf(String base, String admin, String subject) throws Exception {
    for (JsonNode i : api(base, admin, "GET", "/api/v1/incidents", null).body().path("incidents")) {
      for (JsonNode s : i.path("subjects")) {
        if (s.asText().equals(subject)) {
          return i.path("id").asText();
        }
      }
    }
    return null;
  }

  /** The state letter of {@code /proc/PID/stat}: {@code S} sleeping, {@code T} stopped. */
  private static String state(long pid) {
    String stat = stat(pid);
    return stat.equals("gone") ? stat : stat.substring(stat.length() - 1);
  }

  private static String stat(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.indexOf('('), stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "gone";
    }
  }
}
