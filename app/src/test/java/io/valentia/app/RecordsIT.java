package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.web.testing.BrowserScripts;
import io.valentia.web.testing.TestTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Incidents and postmortems on one real platform (the {@link SharedPlatform}: every role on the
 * embedded broker). In headless Chromium: an MTU mismatch opens an incident, its evidence is drawn
 * as a timeline, and its postmortem shows testimonies side by side with the blameless review's
 * remarks, revisions and their comparison ({@code records.test.mjs} from the web module's browser
 * tests; Debian's {@code chromium} and {@code npm ci} there, which {@code .ci/run} does). On the
 * command line: {@code postmortem import} stores a Markdown postmortem and a revision of it, and
 * {@code search --postmortems} finds it.
 */
@DisplayName("Incidents and postmortems on a real platform: the pages in Chromium, the CLI")
@ExtendWith(SharedPlatform.Resolver.class)
class RecordsIT {
  private static final String ADMIN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path files;
  private static SharedPlatform shared;
  private static Platform platform;

  @BeforeAll
  static void start(SharedPlatform sharedPlatform) {
    shared = sharedPlatform;
    platform = shared.platform();
  }

  @Test
  @DisplayName(
      "An incident's evidence is drawn as a timeline; its postmortem shows testimonies side by"
          + " side, remarks inline, revisions and their comparison; markup stays text.")
  void recordPagesWork() throws Exception {
    BrowserScripts.requireBrowser();
    String base = "http://127.0.0.1:" + platform.httpPort();
    String subject = "osd-3->osd-" + UUID.randomUUID().toString().substring(0, 6);
    emit(
        "io.valentia.probe.mtu.mismatch.v1",
        subject,
        "{\"peer\":\"osd-7\",\"largestPassingBytes\":1472,\"smallestFailingBytes\":8972,"
            + "\"estimatedPathMtu\":1500,\"direction\":\"out\"}");
    for (int i = 0; i < 3; i++) {
      emit(
          "io.valentia.probe.mtu.ping.v1",
          subject,
          "{\"peer\":\"10.0.1.7:7\",\"sizeBytes\":8972,\"ok\":false,"
              + "\"direction\":\"out\",\"mode\":\"udp\"}");
    }

    String incidentId =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> incidentOf(base, subject), id -> id != null);
    // the evidence is searchable before the postmortem drafts its timeline from it
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                api(
                            base,
                            "GET",
                            "/api/v1/events/search?facet=none&q="
                                + java.net.URLEncoder.encode(
                                    "subject:\"" + subject + "\"", StandardCharsets.UTF_8),
                            null)
                        .path("total")
                        .asInt()
                    >= 4);

    JsonNode created =
        api(
            base,
            "POST",
            "/api/v1/postmortems",
            EventCodec.MAPPER.createObjectNode().put("incidentId", incidentId));
    String postmortemId = created.path("id").asText();
    assertThat(postmortemId).as(created.toString()).isNotEmpty();
    ObjectNode sections = EventCodec.MAPPER.createObjectNode();
    sections.put(
        "summary",
        "Jumbo frames were black-holed between two storage hosts, like the 1858 cable's silence.");
    sections.put("date", "2026-11-29");
    sections.putArray("authors").add("Ada").add("Brunel");
    sections.putArray("supportingInformation").add("Switch port counters, 09:00-10:00");
    sections
        .putArray("actionItems")
        .addObject()
        .put("action", "Check MTU on every switch port after a change")
        .put("type", "prevent")
        .put("owner", "network")
        .put("due", "2026-12-15")
        .put("status", "open")
        .put("bug", "NET-4711");
    var testimonies = sections.putArray("testimonies");
    testimonies
        .addObject()
        .put("who", "Ada")
        .put("role", "storage on-call")
        .put("given", "2026-11-29T10:00:00Z")
        .put("statement", "The outage was human error: the switch was misconfigured by hand.");
    testimonies
        .addObject()
        .put("who", "Brunel")
        .put("role", "network")
        .put("given", "2026-11-29T10:05:00Z")
        .put("statement", "I saw <img src=x onerror=\"window.__pwned=1\"> in the switch log.");
    ObjectNode revise = EventCodec.MAPPER.createObjectNode().put("expectedRevision", 1);
    revise.set("sections", sections);
    JsonNode revised = api(base, "PUT", "/api/v1/postmortems/" + postmortemId, revise);
    assertThat(revised.path("revision").asInt()).as(revised.toString()).isEqualTo(2);

    Path log = files.resolve("records-browser.log");
    Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(screenshots);
    String output =
        BrowserScripts.run(
            "records.test.mjs",
            Map.of(
                "BASE_URL", base,
                "TOKEN", ADMIN,
                "INCIDENT_ID", incidentId,
                "POSTMORTEM_ID", postmortemId,
                "SCREENSHOTS", screenshots.toString()),
            log);
    assertThat(output)
        .contains("ok - the incident's evidence is drawn as a timeline")
        .contains("ok - testimonies are shown side by side")
        .contains(
            "ok - the date, authors, supporting information and action items' type and bug are"
                + " shown")
        .contains("ok - two revisions are compared section by section");
  }

  @Test
  @DisplayName(
      "`postmortem import` stores a Markdown postmortem and a revision of it, refuses a stale"
          + " one, and `search --postmortems` finds it.")
  void commandLine() throws Exception {
    String base = "http://127.0.0.1:" + platform.httpPort();
    String word = "quokka" + UUID.randomUUID().toString().substring(0, 6);
    Path file = files.resolve("rack-3.md");
    Files.writeString(file, markdown(word, "The runbook did not mention the switch."));

    Run imported =
        run("postmortem", "import", file.toString(), "--url", base, "--token", ADMIN, "--json");
    assertThat(imported.code).as(imported.err).isZero();
    JsonNode first = EventCodec.MAPPER.readTree(imported.out);
    String id = first.path("id").asText();
    assertThat(first.path("revision").asInt()).isEqualTo(1);
    assertThat(first.path("document").path("title").asText()).contains(word);

    Files.writeString(file, markdown(word, "The runbook now names the switch."));
    Run revised =
        run(
            "postmortem",
            "import",
            file.toString(),
            "--id",
            id,
            "--expected-revision",
            "1",
            "--note",
            "the runbook was fixed",
            "--url",
            base,
            "--token",
            ADMIN,
            "--json");
    assertThat(revised.code).as(revised.err).isZero();
    assertThat(EventCodec.MAPPER.readTree(revised.out).path("revision").asInt()).isEqualTo(2);
    Run stale =
        run(
            "postmortem",
            "import",
            file.toString(),
            "--id",
            id,
            "--expected-revision",
            "1",
            "--url",
            base,
            "--token",
            ADMIN);
    assertThat(stale.code).isEqualTo(1);
    assertThat(stale.err).contains("409");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Run found =
                  run("search", "--postmortems", word, "--url", base, "--token", ADMIN, "--json");
              assertThat(found.code).as(found.err).isZero();
              JsonNode page = EventCodec.MAPPER.readTree(found.out);
              assertThat(page.path("hits").get(0).path("id").asText()).isEqualTo(id);
              assertThat(page.path("hits").get(0).path("source").path("revision").asInt())
                  .isEqualTo(2);
            });
    Run bad = run("search", "--postmortems", "title:(", "--url", base, "--token", ADMIN);
    assertThat(bad.code).isEqualTo(2);
  }

  private static String markdown(String word, String factor) {
    return "# Jumbo frames black-holed on rack 3 ("
        + word
        + ")\n\nStatus: draft\n\n## Summary\n\nOSDs flapped after the host MTU was raised.\n\n"
        + "## Contributing Factors\n\n- "
        + factor
        + "\n";
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine commandLine = Valentia.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static String incidentOf(String base, String subject) throws Exception {
    for (JsonNode incident : api(base, "GET", "/api/v1/incidents", null).path("incidents")) {
      for (JsonNode s : incident.path("subjects")) {
        if (s.asText().equals(subject)) {
          return incident.path("id").asText();
        }
      }
    }
    return null;
  }

  private static void emit(String type, String subject, String json) {
    CommandLine commandLine = Valentia.commandLine();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(new StringWriter()));
    commandLine.setErr(new PrintWriter(err));
    int code =
        commandLine.execute(
            "emit",
            "--kafka",
            platform.bootstrapServers(),
            "--data-dir",
            shared.data().toString(),
            "--type",
            type,
            "--subject",
            subject,
            "--data",
            json);
    assertThat(code).as(err.toString()).isZero();
  }

  private static JsonNode api(String base, String method, String path, JsonNode body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + ADMIN)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return EventCodec.MAPPER.readTree(response.body());
  }
}
