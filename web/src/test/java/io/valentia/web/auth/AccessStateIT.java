package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.testing.TestTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each test starts as on a Kafka cluster the web role never ran against: the generated admin token
 * and the import records of the token and session tables are removed first.
 */
@DisplayName("The access state: admin token, and the one-time import of the previous release")
class AccessStateIT {
  private final List<StateTables> processes = new ArrayList<>();
  private final List<String> console = new ArrayList<>();

  @BeforeAll
  static void topics() {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
  }

  @BeforeEach
  void freshCluster() {
    try (StateTables tables = new StateTables(KafkaTestSupport.settings())) {
      var tokens = tables.open(Topics.STATE_TOKENS, TokenStore.StoredToken.class);
      var migrations = tables.open(Topics.STATE_MIGRATIONS, StateMigration.Migrated.class);
      StateMigration.await(tokens.restored(), "restore");
      StateMigration.await(migrations.restored(), "restore");
      StateMigration.await(tokens.remove(AdminToken.ID), "reset");
      StateMigration.await(migrations.remove(Topics.STATE_TOKENS), "reset");
      StateMigration.await(migrations.remove(Topics.STATE_SESSIONS), "reset");
    }
  }

  @AfterEach
  void stop() {
    processes.forEach(StateTables::close);
  }

  @Test
  @DisplayName(
      "The first start generates a vt_ admin token and keeps only its hash on Kafka; a second"
          + " process with another data directory reports none and accepts it.")
  void generatedAdminIsShared(@TempDir Path a, @TempDir Path b) throws Exception {
    AccessState first = start(a, null);
    String token = first.admin().generated().orElseThrow();

    AccessState second = start(b, null);

    assertThat(token).startsWith("vt_");
    assertThat(token.substring(3)).matches("[A-Za-z0-9_-]{43}");
    assertThat(second.admin().generated()).isEmpty();
    assertThat(second.authenticator().authenticateToken(token))
        .contains(new Principal("admin", "admin", AdminToken.ID));
    assertThat(second.authenticator().authenticateToken(token + "x")).isEmpty();
    assertThat(stateRecords(Topics.STATE_TOKENS))
        .anySatisfy(v -> assertThat(v).contains(TokenStore.hashHex(token)))
        .allSatisfy(v -> assertThat(v).doesNotContain(token).doesNotContain(token.substring(3)));
    try (Stream<Path> files = Files.list(a)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "A configured admin token wins over the stored one, writes nothing and is not printed.")
  void configuredWins(@TempDir Path a, @TempDir Path b) {
    String generated = start(a, null).admin().generated().orElseThrow();

    AccessState configured = start(b.resolve("absent"), TestTokens.ADMIN);

    assertThat(configured.admin().generated()).isEmpty();
    assertThat(configured.authenticator().authenticateToken(TestTokens.ADMIN)).isPresent();
    assertThat(configured.authenticator().authenticateToken(generated)).isEmpty();
    assertThat(b.resolve("absent")).doesNotExist();
  }

  @Test
  @DisplayName(
      "Revoking the stored admin token ends it at once, and the next start generates a new one.")
  void revokedAdminIsReplaced(@TempDir Path a) {
    AccessState first = start(a, null);
    String old = first.admin().generated().orElseThrow();

    assertThat(first.tokens().revoke(AdminToken.ID)).isTrue();

    assertThat(first.authenticator().authenticateToken(old)).isEmpty();
    AccessState next = start(a, null);
    String renewed = next.admin().generated().orElseThrow();
    assertThat(renewed).isNotEqualTo(old);
    assertThat(next.authenticator().authenticateToken(renewed)).isPresent();
    assertThat(next.authenticator().authenticateToken(old)).isEmpty();
  }

  @Test
  @DisplayName(
      "A data directory of the previous release is imported once: its tokens, admin token and"
          + " live sessions work, revoked tokens and their sessions do not, and the files are left"
          + " untouched.")
  void previousReleaseIsImported(@TempDir Path dir) throws Exception {
    String admin = TokenStore.newSecret();
    String live = TokenStore.newSecret();
    String gone = TokenStore.newSecret();
    String liveName = "alice-" + UUID.randomUUID().toString().substring(0, 8);
    String goneName = "bob-" + UUID.randomUUID().toString().substring(0, 8);
    String liveId = UUID.randomUUID().toString();
    Instant created = Instant.parse("2026-11-01T10:00:00Z");
    Files.writeString(dir.resolve("admin-token.sha256"), TokenStore.hashHex(admin) + "\n");
    write(
        dir.resolve("tokens.json"),
        List.of(
            new TokenStore.StoredToken(
                liveId, liveName, "operator", TokenStore.hashHex(live), created, "admin", null),
            new TokenStore.StoredToken(
                UUID.randomUUID().toString(),
                goneName,
                "viewer",
                TokenStore.hashHex(gone),
                created,
                "admin",
                created.plusSeconds(60))));
    String sessionId = "session-" + UUID.randomUUID();
    String goneSessionId = "session-" + UUID.randomUUID();
    String expiredSessionId = "session-" + UUID.randomUUID();
    Instant later = Instant.now().plus(Duration.ofHours(6));
    write(
        dir.resolve("sessions.json"),
        List.of(
            Map.of(
                "idSha256",
                Sessions.hash(sessionId),
                "name",
                liveName,
                "role",
                "operator",
                "csrfToken",
                "csrf-1",
                "expires",
                later.toString()),
            Map.of(
                "idSha256",
                Sessions.hash(goneSessionId),
                "name",
                goneName,
                "role",
                "viewer",
                "csrfToken",
                "csrf-2",
                "expires",
                later.toString()),
            Map.of(
                "idSha256",
                Sessions.hash(expiredSessionId),
                "name",
                liveName,
                "role",
                "operator",
                "csrfToken",
                "csrf-3",
                "expires",
                Instant.now().minusSeconds(60).toString())));
    Map<String, byte[]> before = contents(dir);

    AccessState started = start(dir, null);

    assertThat(started.admin().generated()).isEmpty();
    assertThat(started.authenticator().authenticateToken(admin)).isPresent();
    assertThat(started.authenticator().authenticateToken(live))
        .contains(new Principal(liveName, "operator", liveId));
    assertThat(started.authenticator().authenticateToken(gone)).isEmpty();
    Sessions.Session session = started.sessions().find(sessionId).orElseThrow();
    assertThat(session.principal()).isEqualTo(new Principal(liveName, "operator", liveId));
    assertThat(session.csrfMatches("csrf-1")).isTrue();
    assertThat(started.sessions().find(goneSessionId)).isEmpty();
    assertThat(started.sessions().find(expiredSessionId)).isEmpty();
    Map<String, byte[]> after = contents(dir);
    assertThat(after).containsOnlyKeys(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    assertThat(console)
        .anySatisfy(line -> assertThat(line).contains("imported 3 entries of tokens.json"))
        .anySatisfy(line -> assertThat(line).contains("imported 1 entry of sessions.json"));
  }

  @Test
  @DisplayName(
      "The import runs once per cluster: a token added to the old file afterwards is not imported"
          + " by a later start.")
  void importRunsOnce(@TempDir Path dir) throws Exception {
    start(dir, TestTokens.ADMIN);
    String late = TokenStore.newSecret();
    write(
        dir.resolve("tokens.json"),
        List.of(
            new TokenStore.StoredToken(
                UUID.randomUUID().toString(),
                "late-" + UUID.randomUUID().toString().substring(0, 8),
                "viewer",
                TokenStore.hashHex(late),
                Instant.now(),
                "admin",
                null)));

    AccessState again = start(dir, TestTokens.ADMIN);

    assertThat(again.authenticator().authenticateToken(late)).isEmpty();
  }

  @Test
  @DisplayName("An old token file that is not a token store is reported with its path.")
  void corruptFileIsReported(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokens.json"), "{not json");

    assertThatThrownBy(() -> start(dir, TestTokens.ADMIN))
        .isInstanceOf(ValentiaException.class)
        .hasMessageContaining("tokens.json")
        .hasMessageContaining("fix or remove it");
  }

  // ---------------------------------------------------------------------------------------------

  /** A web process starting with {@code dir} as its data directory. */
  private AccessState start(Path dir, String configuredAdmin) {
    StateTables tables = new StateTables(KafkaTestSupport.settings());
    processes.add(tables);
    return AccessState.open(tables, dir, configuredAdmin, console::add);
  }

  private static void write(Path file, Object value) throws Exception {
    Files.write(file, EventCodec.MAPPER.writeValueAsBytes(value));
  }

  private static Map<String, byte[]> contents(Path dir) throws Exception {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        out.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    return out;
  }

  private static List<String> stateRecords(String topic) {
    List<String> out = new ArrayList<>();
    KafkaTestSupport.readAll(topic)
        .forEach(
            r -> {
              if (r.value() != null) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
              }
            });
    return out;
  }
}
