package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.CheckMute;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the previous release (before state topics: the embedded broker's log,
 * the web files and the postmortem indexes, described by {@code upgrade-0.1.0-manifest.json})
 * started with this release: every piece of state is there, built once from the history, and a
 * second start takes it from the state topics without building anything again.
 */
@DisplayName("Upgrading a data directory of release 0.1.0")
class UpgradeIT {
  private static final String FIXTURE = "/upgrade/upgrade-0.1.0-data.tar.gz";
  private static final String MANIFEST = "/upgrade/upgrade-0.1.0-manifest.json";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The cookie value of a session that expired before the upgrade. */
  private static final String EXPIRED_SESSION = "expired-before-the-upgrade-0123456789abcdef";

  /** The tables built from a topic's history on the first start. */
  private static final Set<String> BUILT =
      Set.of(
          Topics.STATE_HEALTH,
          Topics.STATE_FAULTS,
          Topics.STATE_SCHEDULES,
          Topics.STATE_INCIDENTS,
          Topics.STATE_POSTMORTEMS,
          Topics.STATE_LEASES);

  /** The tables imported from the web data directory's files on the first start. */
  private static final Set<String> IMPORTED = Set.of(Topics.STATE_TOKENS, Topics.STATE_SESSIONS);

  @TempDir Path data;
  private JsonNode manifest;
  private String adminToken;

  @BeforeEach
  void extractFixture() throws Exception {
    try (InputStream in = UpgradeIT.class.getResourceAsStream(MANIFEST)) {
      manifest = EventCodec.MAPPER.readTree(in);
    }
    adminToken = manifest.get("adminToken").asText();
    Path archive = data.resolve("fixture.tar.gz");
    try (InputStream in = UpgradeIT.class.getResourceAsStream(FIXTURE)) {
      Files.copy(in, archive);
    }
    Path dir = Files.createDirectories(data.resolve("data"));
    Process tar =
        new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as(output).isZero();
    assertThat(dir.resolve("kafka/meta.properties")).exists();
    // The previous release moves a session's expiry to 12 h after each use: alice used hers just
    // before the upgrade (the fixture's own expiry has long passed). An expired session beside it
    // must not be taken over.
    Path sessions = dir.resolve("web/sessions.json");
    ArrayNode stored = (ArrayNode) EventCodec.MAPPER.readTree(sessions.toFile());
    ((ObjectNode) stored.get(0))
        .put("expires", Instant.now().plus(Duration.ofHours(12)).toString());
    ObjectNode expired = stored.get(0).deepCopy();
    expired.put("idSha256", sha256(EXPIRED_SESSION));
    expired.put("expires", Instant.now().minus(Duration.ofHours(1)).toString());
    stored.add(expired);
    EventCodec.MAPPER.writeValue(sessions.toFile(), stored);
  }

  @Test
  @DisplayName(
      "the first start builds every state table once from the old history and files and shows"
          + " every token, check, mute, incident, lease, schedule and postmortem as the old release"
          + " left them; a second start shows the same without building anything again")
  void upgradesOnceAndKeepsEverything() throws Exception {
    Instant firstStart = Instant.now();
    Map<String, StateMigration.Migrated> migrated;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (Platform platform = start(console)) {
      String printed = console.toString(StandardCharsets.UTF_8);
      for (String table : BUILT) {
        assertThat(printed)
            .as("progress of the migration of %s", table)
            .containsPattern("building " + table.replace(".", "\\.") + " from valentia\\.\\w+ .*%")
            .contains("built " + table + " from ");
      }
      for (String table : IMPORTED) {
        assertThat(printed).contains(" into " + table + " (once, after the upgrade");
      }
      migrated = migrations(platform.bootstrapServers());
      Set<String> expected = new java.util.HashSet<>(BUILT);
      expected.addAll(IMPORTED);
      assertThat(migrated).as("one migration record per table").containsOnlyKeys(expected);
      assertThat(migrated.get(Topics.STATE_INCIDENTS).recordsRead())
          .as("the whole history of valentia.events was read to build the incidents")
          .isEqualTo(manifest.at("/kafka/topics/valentia.events/records").asLong());

      checkState(platform, firstStart);
    }

    Instant secondStart = Instant.now();
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    try (Platform platform = start(again)) {
      String printed = again.toString(StandardCharsets.UTF_8);
      assertThat(printed)
          .as("nothing is built or imported on the second start")
          .doesNotContain("building ")
          .doesNotContain("built ")
          .doesNotContain("imported ")
          .contains("Valentia is up");
      assertThat(migrations(platform.bootstrapServers()))
          .as("the migration records are those of the first start, no new one")
          .isEqualTo(migrated);

      checkState(platform, secondStart);
    }
  }

  private Platform start(ByteArrayOutputStream console) {
    ValentiaConfig config =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of("data", data.resolve("data").toString(), "kafka.port", 0, "http.port", 0));
    return Platform.start(
        config,
        Map.of("VALENTIA_ADMIN_TOKEN", adminToken),
        new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  /** Everything the manifest lists, as this release shows it. */
  private void checkState(Platform platform, Instant started) throws Exception {
    String base = "http://127.0.0.1:" + platform.httpPort();
    checkTokens(base);
    checkSession(base);
    checkHealth(base, platform.bootstrapServers());
    checkIncidents(base);
    checkLeases(base, started);
    checkSchedules(base);
    checkPostmortems(base);
  }

  private void checkTokens(String base) throws Exception {
    for (JsonNode token : manifest.get("tokens")) {
      HttpResponse<String> whoami = get(base + "/api/v1/whoami", token.get("token").asText());
      if (token.get("revoked").isNull()) {
        assertThat(whoami.statusCode()).as(whoami.body()).isEqualTo(200);
        JsonNode who = EventCodec.MAPPER.readTree(whoami.body());
        assertThat(who.get("name").asText()).isEqualTo(token.get("name").asText());
        assertThat(who.get("role").asText()).isEqualTo(token.get("role").asText());
      } else {
        assertThat(whoami.statusCode())
            .as("%s's token was revoked", token.get("name").asText())
            .isEqualTo(401);
      }
    }
    JsonNode listed = api(base, "/api/v1/tokens").get("tokens");
    assertThat(listed).hasSize(manifest.get("tokens").size());
    for (JsonNode token : manifest.get("tokens")) {
      JsonNode found = byId(listed, token.get("id").asText());
      for (String field : List.of("name", "role", "created", "createdBy", "revoked")) {
        assertThat(sameValue(found.get(field), token.get(field)))
            .as("token %s %s: %s", token.get("name").asText(), field, found)
            .isTrue();
      }
    }
  }

  /**
   * The browser session made with alice's token works after the upgrade; the expired one beside it
   * was not taken over.
   */
  private void checkSession(String base) throws Exception {
    JsonNode session = manifest.get("session");
    String cookie = session.get("cookie").asText();
    HttpResponse<String> whoami = whoami(base, cookie + "=" + session.get("value").asText());
    assertThat(whoami.statusCode()).as(whoami.body()).isEqualTo(200);
    JsonNode who = EventCodec.MAPPER.readTree(whoami.body());
    assertThat(who.get("name").asText()).isEqualTo(session.get("name").asText());
    assertThat(who.get("role").asText()).isEqualTo(session.get("role").asText());
    assertThat(whoami(base, cookie + "=" + EXPIRED_SESSION).statusCode())
        .as("an expired session is not taken over")
        .isEqualTo(401);
  }

  private static HttpResponse<String> whoami(String base, String cookie) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/whoami"))
            .header("Cookie", cookie)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String sha256(String value) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(value.getBytes(StandardCharsets.UTF_8)));
  }

  private void checkHealth(String base, String bootstrap) throws Exception {
    JsonNode expected = manifest.get("health");
    JsonNode report = EventCodec.MAPPER.readTree(get(base + "/health", adminToken).body());
    assertThat(report.get("status").asText()).isEqualTo(expected.get("status").asText());
    JsonNode checks = report.get("checks");
    List<String> names = new ArrayList<>();
    checks.fieldNames().forEachRemaining(names::add);
    List<String> expectedNames = new ArrayList<>();
    expected.get("checks").fieldNames().forEachRemaining(expectedNames::add);
    assertThat(names).containsExactlyInAnyOrderElementsOf(expectedNames);
    expected
        .get("absentChecks")
        .fieldNames()
        .forEachRemaining(cleared -> assertThat(checks.has(cleared)).as(cleared).isFalse());
    for (String name : expectedNames) {
      JsonNode want = expected.get("checks").get(name);
      JsonNode got = checks.get(name);
      assertThat(got.get("severity")).as(name).isEqualTo(want.get("severity"));
      assertThat(got.get("muted")).as(name).isEqualTo(want.get("muted"));
      assertThat(got.get("summary")).as(name).isEqualTo(want.get("summary"));
      assertThat(got.get("detail")).as(name).isEqualTo(want.get("detail"));
    }
    Map<String, CheckMute> mutes = mutes(bootstrap);
    assertThat(mutes).hasSize(expected.get("mutes").size());
    for (JsonNode mute : expected.get("mutes")) {
      CheckMute got = mutes.get(mute.get("check").asText());
      assertThat(got).as(mute.get("check").asText()).isNotNull();
      assertThat(got.sticky()).isEqualTo(mute.get("sticky").asBoolean());
      assertThat(got.until())
          .isEqualTo(mute.get("until").isNull() ? null : Instant.parse(mute.get("until").asText()));
    }
  }

  private void checkIncidents(String base) throws Exception {
    JsonNode listed = api(base, "/api/v1/incidents").get("incidents");
    assertThat(listed).hasSize(manifest.get("incidents").size());
    for (JsonNode want : manifest.get("incidents")) {
      JsonNode got = byId(listed, want.get("id").asText());
      for (String field :
          List.of("title", "status", "severity", "rule", "opened", "subjects", "evidence")) {
        assertThat(got.get(field))
            .as("%s %s", want.get("id").asText(), field)
            .isEqualTo(want.get(field));
      }
      JsonNode one = api(base, "/api/v1/incidents/" + want.get("id").asText());
      assertThat(one.path("status")).isEqualTo(want.get("status"));
    }
  }

  /** Active leases are there with their grant and a fresh term from this start; revoked are not. */
  private void checkLeases(String base, Instant started) throws Exception {
    JsonNode listed = api(base, "/api/v1/leases").get("leases");
    JsonNode expected = manifest.at("/leases/active");
    assertThat(listed).hasSize(expected.size());
    for (JsonNode want : expected) {
      JsonNode got = byId(listed, want.get("id").asText());
      assertThat(got.get("resource")).isEqualTo(want.get("resource"));
      assertThat(got.get("lessee")).isEqualTo(want.get("lessee"));
      assertThat(got.get("termMs")).isEqualTo(want.get("termMs"));
      assertThat(Instant.parse(got.get("grantedAt").asText()))
          .isEqualTo(Instant.parse(want.get("grantedAt").asText()));
      Instant renewed = Instant.parse(got.get("lastRenewal").asText());
      assertThat(renewed).as("a restored lease starts a fresh term").isAfterOrEqualTo(started);
      assertThat(Instant.parse(got.get("expiresAt").asText()))
          .isEqualTo(renewed.plusMillis(want.get("termMs").asLong()));
    }
    for (JsonNode gone : manifest.at("/leases/revoked")) {
      assertThat(get(base + "/api/v1/leases/" + gone.get("id").asText(), adminToken).statusCode())
          .as("revoked lease %s", gone.get("id").asText())
          .isEqualTo(404);
    }
  }

  private void checkSchedules(String base) throws Exception {
    JsonNode listed = api(base, "/api/v1/schedules");
    JsonNode expected = manifest.at("/schedules/active");
    assertThat(listed).hasSize(expected.size());
    for (JsonNode want : expected) {
      JsonNode got = byId(listed, want.get("id").asText());
      for (String field : List.of("title", "schedule", "options", "history")) {
        assertThat(got.get(field)).as(field).isEqualTo(want.get(field));
      }
    }
    for (JsonNode removed : manifest.at("/schedules/removed")) {
      assertThat(get(base + "/api/v1/schedules/" + removed.asText(), adminToken).statusCode())
          .isEqualTo(404);
    }
  }

  private void checkPostmortems(String base) throws Exception {
    JsonNode listed = api(base, "/api/v1/postmortems").get("postmortems");
    assertThat(listed).hasSize(manifest.get("postmortems").size());
    for (JsonNode want : manifest.get("postmortems")) {
      String id = want.get("id").asText();
      JsonNode head = api(base, "/api/v1/postmortems/" + id);
      for (String field : List.of("title", "incidentId", "status", "authors", "summary")) {
        assertThat(head.get(field)).as("%s %s", id, field).isEqualTo(want.get(field));
      }
      assertThat(head.get("latestRevision")).isEqualTo(want.get("latestRevision"));
      assertThat(head.at("/document/timeline")).hasSize(want.get("timelineEntries").asInt());
      JsonNode revisions = api(base, "/api/v1/postmortems/" + id + "/revisions").get("revisions");
      assertThat(revisions).hasSize(want.get("revisions").size());
      for (int i = 0; i < revisions.size(); i++) {
        JsonNode wantRevision = want.get("revisions").get(i);
        for (String field : List.of("revision", "action", "status", "sections", "eventId")) {
          assertThat(revisions.get(i).get(field))
              .as("%s revision %d %s", id, i + 1, field)
              .isEqualTo(wantRevision.get(field));
        }
      }
    }
  }

  private Map<String, StateMigration.Migrated> migrations(String bootstrap) {
    return table(bootstrap, Topics.STATE_MIGRATIONS, StateMigration.Migrated.class);
  }

  private Map<String, CheckMute> mutes(String bootstrap) {
    return table(bootstrap, Topics.STATE_MUTES, CheckMute.class);
  }

  private <V> Map<String, V> table(String bootstrap, String topic, Class<V> type) {
    try (StateTable<V> table =
        StateTable.open(
            PlatformKafka.settings(data.resolve("data"), bootstrap, "upgrade-test"), topic, type)) {
      await().atMost(Duration.ofSeconds(60)).until(table::isRestored);
      return new TreeMap<>(table.snapshot());
    }
  }

  private static JsonNode byId(JsonNode list, String id) {
    for (JsonNode node : list) {
      if (node.path("id").asText().equals(id)) {
        return node;
      }
    }
    throw new AssertionError("no " + id + " in " + list);
  }

  private JsonNode api(String base, String path) throws Exception {
    HttpResponse<String> response = get(base + path, adminToken);
    assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
    return EventCodec.MAPPER.readTree(response.body());
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Whether two JSON values are equal, reading text that is an instant as an instant. */
  private static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null || a.isNull() || b.isNull()) {
      return (a == null || a.isNull()) && (b == null || b.isNull());
    }
    if (a.isTextual() && b.isTextual() && a.asText().matches("\\d{4}-.*Z")) {
      return Instant.parse(a.asText()).equals(Instant.parse(b.asText()));
    }
    return a.equals(b);
  }
}
