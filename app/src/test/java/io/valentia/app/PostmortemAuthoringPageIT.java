package io.valentia.app;

import static io.valentia.app.ApiCalls.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.web.testing.BrowserScripts;
import io.valentia.web.testing.TestTokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing a postmortem in the page, on a real platform (the {@link SharedPlatform}: every role on
 * the embedded broker) where an MTU mismatch opened an incident. In headless Chromium ({@code
 * postmortem-authoring.test.mjs} from the web module's browser tests): a responder creates the
 * incident's postmortem and writes every section, a testimony and a finding citing evidence picked
 * from the timeline, an edited timeline entry and action items, while a second responder edits the
 * same postmortem: the stale save is refused (409) and merged section by section; the review's
 * remarks show as the text is typed; it goes to review and final. Hostile text in every field stays
 * text; a viewer gets no editing controls; the editor fits a phone. Then the Markdown export is
 * read back and compared with what the page wrote. Screenshots at 1280x800 and 390 px go to {@code
 * target/screenshots}.
 */
@DisplayName("Writing a postmortem in the page on a real platform")
@ExtendWith(SharedPlatform.Resolver.class)
class PostmortemAuthoringPageIT {
  private static final String ADMIN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path logs;
  private static SharedPlatform shared;

  @BeforeAll
  static void start(SharedPlatform platform) {
    shared = platform;
  }

  @Test
  @DisplayName(
      "A postmortem written entirely in the page, edited by two people at once and merged, passes"
          + " the review, becomes final and exports to the Markdown of what was written; hostile"
          + " text in every field renders as text.")
  void postmortemIsWrittenInThePage() throws Exception {
    writeInThePage(shared.base(), logs);
  }

  /**
   * The page test on the platform whose web role answers at {@code base} (one process, or the
   * gateway in front of several): the evidence published through the API, the incident opened from
   * it, the postmortem written in Chromium and checked through the API.
   */
  static void writeInThePage(String base, Path logs) throws Exception {
    BrowserScripts.requireBrowser();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String subject = "osd-3->osd-" + run;
    emit(
        base,
        "io.valentia.probe.mtu.mismatch.v1",
        subject,
        "{\"peer\":\"osd-7\",\"largestPassingBytes\":1472,\"smallestFailingBytes\":8972,"
            + "\"estimatedPathMtu\":1500,\"direction\":\"out\"}");
    for (int i = 0; i < 3; i++) {
      emit(
          base,
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
                found(base, "subject:\"" + subject + "\"") >= 4
                    && found(base, "incidentid:\"" + incidentId + "\"") >= 1);

    Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(screenshots);
    String output =
        BrowserScripts.run(
            "postmortem-authoring.test.mjs",
            Map.of(
                "BASE_URL",
                base,
                "WRITER_TOKEN",
                ApiCalls.token(base, ADMIN, "ada-" + run, "responder"),
                "OTHER_TOKEN",
                ApiCalls.token(base, ADMIN, "brunel-" + run, "responder"),
                "VIEWER_TOKEN",
                ApiCalls.token(base, ADMIN, "viewer-" + run, "viewer"),
                "INCIDENT_ID",
                incidentId,
                "RUN",
                run,
                "SCREENSHOTS",
                screenshots.toString()),
            logs.resolve("postmortem-authoring-browser.log"));
    assertThat(output)
        .contains("ok - a postmortem was created for the incident")
        .contains("ok - the blameless review's remark shows beside the summary as it is typed")
        .contains("ok - every section was written in the page and saved")
        .contains("ok - a save based on an old revision is refused")
        .contains("ok - the conflict was resolved by merging")
        .contains("ok - a testimony and a finding cite evidence picked from the timeline")
        .contains("ok - an edited timeline entry keeps its time and shows its trail")
        .contains(
            "ok - the postmortem passed the review and moved from draft to in review to final")
        .contains("ok - a refused save can be dropped by reloading theirs")
        .contains("ok - hostile text in every field renders as text")
        .contains("ok - a viewer gets no editing controls")
        .contains("ok - the editor fits a 390 px wide screen")
        .contains("ok - no console error and no failing request on the pages");
    assertThat(screenshots.resolve("postmortem-authoring.png")).isNotEmptyFile();

    JsonNode written = null;
    for (String line : output.split("\n")) {
      if (line.startsWith("# written: ")) {
        written = EventCodec.MAPPER.readTree(line.substring("# written: ".length()));
      }
    }
    assertThat(written).as("the page test says what it wrote").isNotNull();
    String id = written.path("id").asText();

    // the Markdown export, read back, is what the page wrote
    HttpResponse<String> export =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/postmortems/" + id + "/export?format=markdown"))
                .header("Authorization", "Bearer " + ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(export.statusCode()).isEqualTo(200);
    Postmortem exported = MarkdownPostmortem.parse(export.body());
    assertThat(exported.title()).isEqualTo(written.path("title").asText());
    assertThat(exported.status()).isEqualTo("final");
    assertThat(exported.incidentId()).isEqualTo(incidentId);
    assertThat(exported.date()).isEqualTo(written.path("date").asText());
    assertThat(exported.authors()).isEqualTo(strings(written.path("authors")));
    assertThat(exported.summary()).isEqualTo(written.path("summary").asText());
    assertThat(exported.impact()).isEqualTo(written.path("impact").asText());
    assertThat(exported.trigger()).isEqualTo(written.path("trigger").asText());
    assertThat(exported.detection()).isEqualTo(written.path("detection").asText());
    assertThat(exported.resolution()).isEqualTo(written.path("resolution").asText());
    assertThat(exported.contributingFactors())
        .isEqualTo(strings(written.path("contributingFactors")));
    assertThat(exported.wentWell()).isEqualTo(strings(written.path("wentWell")));
    assertThat(exported.wentWrong()).isEqualTo(strings(written.path("wentWrong")));
    assertThat(exported.gotLucky()).isEqualTo(strings(written.path("gotLucky")));
    assertThat(exported.recommendations()).isEqualTo(strings(written.path("recommendations")));
    assertThat(exported.supportingInformation())
        .isEqualTo(strings(written.path("supportingInformation")));
    JsonNode t = written.path("testimony");
    assertThat(exported.testimonies())
        .containsExactly(
            new Postmortem.Testimony(
                t.path("who").asText(),
                t.path("role").asText(),
                t.path("given").asText(),
                t.path("statement").asText(),
                strings(t.path("evidence"))));
    assertThat(exported.findings())
        .containsExactly(
            new Postmortem.Finding(
                written.path("finding").path("text").asText(),
                strings(written.path("finding").path("evidence"))));
    List<Postmortem.ActionItem> items = new ArrayList<>();
    for (JsonNode a : written.path("actionItems")) {
      items.add(
          new Postmortem.ActionItem(
              a.path("action").asText(),
              a.path("type").asText(),
              a.path("owner").asText(),
              a.path("due").asText(),
              a.path("status").asText(),
              a.path("bug").asText()));
    }
    assertThat(exported.actionItems()).isEqualTo(items);
    JsonNode entry = written.path("entry");
    assertThat(exported.timeline())
        .anySatisfy(
            e -> {
              assertThat(e.time()).isEqualTo(entry.path("time").asText());
              assertThat(e.text()).isEqualTo(entry.path("text").asText());
            });

    // the stored entry keeps its trail: who changed its text, from what to what
    JsonNode stored = api(base, ADMIN, "GET", "/api/v1/postmortems/" + id, null).body();
    JsonNode edited = null;
    for (JsonNode e : stored.path("document").path("timeline")) {
      if (e.path("id").asText().equals(entry.path("id").asText())) {
        edited = e;
      }
    }
    assertThat(edited).as(stored.toString()).isNotNull();
    assertThat(edited.path("time").asText()).isEqualTo(entry.path("time").asText());
    JsonNode edit = edited.path("edits").get(0);
    assertThat(edit.path("by").asText()).isEqualTo(written.path("writer").asText());
    assertThat(edit.path("field").asText()).isEqualTo("text");
    assertThat(edit.path("before").asText()).isEqualTo(entry.path("before").asText());
    assertThat(edit.path("after").asText()).isEqualTo(entry.path("text").asText());
    assertThat(stored.path("authors").toString()).contains("ada-" + run, "brunel-" + run);
    JsonNode review = api(base, ADMIN, "GET", "/api/v1/postmortems/" + id + "/review", null).body();
    assertThat(review.path("problems")).as(review.toString()).isEmpty();
  }

  private static int found(String base, String query) throws Exception {
    return api(
            base,
            ADMIN,
            "GET",
            "/api/v1/events/search?facet=none&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8),
            null)
        .body()
        .path("total")
        .asInt();
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(v -> list.add(v.asText()));
    return list;
  }

  private static String incidentOf(String base, String subject) throws Exception {
    for (JsonNode incident :
        api(base, ADMIN, "GET", "/api/v1/incidents", null).body().path("incidents")) {
      for (JsonNode s : incident.path("subjects")) {
        if (s.asText().equals(subject)) {
          return incident.path("id").asText();
        }
      }
    }
    return null;
  }

  /** Publishes an event through {@code POST /api/v1/events} (structured mode). */
  private static void emit(String base, String type, String subject, String data) throws Exception {
    String event =
        EventCodec.MAPPER
            .createObjectNode()
            .put("specversion", "1.0")
            .put("id", UUID.randomUUID().toString())
            .put("source", "/probes/mtu/authoring-test")
            .put("type", type)
            .put("subject", subject)
            .put("datacontenttype", "application/json")
            .set("data", EventCodec.MAPPER.readTree(data))
            .toString();
    HttpResponse<String> answer =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(event))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 202);
  }
}
