package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The incident and postmortem pages in headless Chromium against a real platform (the web and
 * postmortem roles on the embedded broker): an MTU mismatch opens an incident, its evidence is
 * drawn as a timeline, and its postmortem shows testimonies side by side with the blameless
 * review's remarks, revisions and their comparison. Runs {@code records.test.mjs} from the web
 * module's browser tests (Debian's {@code chromium} and {@code npm ci} there; {@code .ci/run} does
 * both).
 */
@DisplayName("The incident and postmortem pages in a real headless Chromium")
class RecordPagesBrowserIT {
  private static final String ADMIN = "vt_record-pages-admin";
  private static final Path SCRIPTS = Path.of("..", "web", "src", "test", "browser");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path data;

  @Test
  @DisplayName(
      "An incident's evidence is drawn as a timeline; its postmortem shows testimonies side by"
          + " side, remarks inline, revisions and their comparison; markup stays text.")
  void recordPagesWork() throws Exception {
    assertThat(Path.of("/usr/bin/chromium"))
        .as("Debian's chromium package (apt-get install chromium; .ci/run does)")
        .isExecutable();
    assertThat(SCRIPTS.resolve("node_modules").resolve("playwright-core"))
        .as("playwright-core (npm ci in web/src/test/browser; .ci/run does)")
        .isDirectory();
    ValentiaConfig config =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "data",
                data.toString(),
                "kafka.port",
                0,
                "http.port",
                0,
                "roles",
                List.of("web", "postmortem")));
    try (Platform platform =
        Platform.start(
            config,
            Map.of("VALENTIA_ADMIN_TOKEN", ADMIN),
            new PrintStream(new ByteArrayOutputStream()))) {
      String base = "http://127.0.0.1:" + platform.httpPort();
      String subject = "osd-3->osd-" + UUID.randomUUID().toString().substring(0, 6);
      emit(
          platform,
          "io.valentia.probe.mtu.mismatch.v1",
          subject,
          "{\"peer\":\"osd-7\",\"largestPassingBytes\":1472,\"smallestFailingBytes\":8972,"
              + "\"estimatedPathMtu\":1500,\"direction\":\"out\"}");
      for (int i = 0; i < 3; i++) {
        emit(
            platform,
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

      Path log = data.resolve("records-browser.log");
      ProcessBuilder node =
          new ProcessBuilder("node", "records.test.mjs")
              .directory(SCRIPTS.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      node.environment()
          .putAll(
              Map.of(
                  "BASE_URL", base,
                  "TOKEN", ADMIN,
                  "INCIDENT_ID", incidentId,
                  "POSTMORTEM_ID", postmortemId));
      Process process = node.start();
      boolean done = process.waitFor(180, TimeUnit.SECONDS);
      if (!done) {
        process.destroyForcibly();
      }
      String output = read(log);
      System.out.println(output);
      assertThat(done).as("the browser test finished in time:%n%s", output).isTrue();
      assertThat(output).as("browser test output").doesNotContain("not ok");
      assertThat(process.exitValue()).as("browser test output:%n%s", output).isZero();
      assertThat(output)
          .contains("ok - the incident's evidence is drawn as a timeline")
          .contains("ok - testimonies are shown side by side")
          .contains("ok - two revisions are compared section by section");
    }
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

  private static void emit(Platform platform, String type, String subject, String data) {
    CommandLine commandLine = Valentia.commandLine();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(new StringWriter()));
    commandLine.setErr(new PrintWriter(err));
    int code =
        commandLine.execute(
            "emit",
            "--kafka",
            platform.bootstrapServers(),
            "--type",
            type,
            "--subject",
            subject,
            "--data",
            data);
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

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }
}
