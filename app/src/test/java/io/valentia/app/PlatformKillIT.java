package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.CheckMute;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.web.testing.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code valentia up} in a JVM of its own, killed with SIGKILL (no shutdown hook runs) right after
 * it answered a grant and a mute, then started again on the same data dir: the leases and mutes are
 * as they were.
 */
@DisplayName("A platform killed with SIGKILL")
class PlatformKillIT {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  @DisplayName(
      "keeps every lease it granted and every mute it set: after a restart on the same data dir"
          + " each is exactly as before")
  void killedPlatformKeepsLeasesAndMutes() throws Exception {
    String check = "TEST_KILL_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    Map<String, String> leasesBefore;
    Map<String, CheckMute> mutesBefore;
    ChildPlatform first = ChildPlatform.up(dir, "first.log", null, TOKEN, "web", "probes");
    try {
      int raised =
          Valentia.commandLine()
              .execute(
                  "emit",
                  "--kafka",
                  first.bootstrap(),
                  "--data-dir",
                  dir.resolve("data").toString(),
                  "--type",
                  "io.valentia.health.changed.v1",
                  "--subject",
                  check,
                  "--data",
                  "{\"check\":\""
                      + check
                      + "\",\"status\":\"HEALTH_ERR\",\"summary\":\"down\",\"detail\":[],"
                      + "\"count\":2}");
      assertThat(raised).isZero();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> granted =
            send(
                "POST",
                first.base() + "/api/v1/leases",
                "{\"resource\":\"hmd-"
                    + i
                    + "\",\"lessee\":{\"name\":\"vr-app-"
                    + i
                    + "\"},\"termMs\":600000}");
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
      }
      send("DELETE", first.base() + "/api/v1/leases/" + leaseIds(first.base()).get(1), null);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> health(first.base()).at("/checks/" + check).isObject());
      assertThat(
              send(
                      "POST",
                      first.base() + "/api/v1/health/mute",
                      "{\"check\":\"" + check + "\",\"ttl\":\"2h\"}")
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              send(
                      "POST",
                      first.base() + "/api/v1/health/mute",
                      "{\"check\":\"NOT_RAISED_" + check + "\",\"sticky\":true}")
                  .statusCode())
          .isEqualTo(202);
      leasesBefore = leases(first.base());
      assertThat(leasesBefore).hasSize(2);
      mutesBefore = mutes(first.bootstrap());
      assertThat(mutesBefore).containsKeys(check, "NOT_RAISED_" + check);
    } finally {
      first.kill(); // SIGKILL: no shutdown hook runs
    }

    ChildPlatform second = ChildPlatform.up(dir, "second.log", null, TOKEN, "web", "probes");
    try {
      assertThat(leases(second.base())).isEqualTo(leasesBefore);
      assertThat(mutes(second.bootstrap())).isEqualTo(mutesBefore);
      JsonNode report = health(second.base());
      assertThat(report.at("/checks/" + check + "/muted").asBoolean()).isTrue();
      assertThat(report.get("status").asText()).isEqualTo("HEALTH_OK");
    } finally {
      second.stop();
    }
  }

  /** The leases by id, without the renewal times (a restored lease starts a fresh term). */
  private static Map<String, String> leases(String base) throws Exception {
    Map<String, String> out = new TreeMap<>();
    JsonNode answer = EventCodec.MAPPER.readTree(send("GET", base + "/api/v1/leases", null).body());
    for (JsonNode lease : answer.get("leases")) {
      ((ObjectNode) lease).remove(List.of("lastRenewal", "expiresAt"));
      out.put(lease.get("id").asText(), lease.toString());
    }
    return out;
  }

  private static List<String> leaseIds(String base) throws Exception {
    List<String> ids = new ArrayList<>();
    EventCodec.MAPPER
        .readTree(send("GET", base + "/api/v1/leases", null).body())
        .get("leases")
        .forEach(l -> ids.add(l.get("id").asText()));
    return ids;
  }

  /** The mute table as Kafka holds it. */
  private Map<String, CheckMute> mutes(String bootstrap) {
    try (StateTable<CheckMute> table =
        StateTable.open(
            PlatformKafka.settings(dir.resolve("data"), bootstrap, "kill-test"),
            Topics.STATE_MUTES,
            CheckMute.class)) {
      await().atMost(Duration.ofSeconds(30)).until(table::isRestored);
      return new TreeMap<>(table.snapshot());
    }
  }

  private static JsonNode health(String base) throws Exception {
    return EventCodec.MAPPER.readTree(send("GET", base + "/health", null).body());
  }

  private static HttpResponse<String> send(String method, String url, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(
        request
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
