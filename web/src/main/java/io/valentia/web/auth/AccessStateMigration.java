package io.valentia.web.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.service.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports what the previous release kept in the web data directory, once per Kafka cluster: {@code
 * tokens.json} and {@code admin-token.sha256} into {@link Topics#STATE_TOKENS}, {@code
 * sessions.json} into {@link Topics#STATE_SESSIONS}. It uses the same record in {@link
 * Topics#STATE_MIGRATIONS} as {@link StateMigration} (which reads a Kafka topic, not a file): a
 * table already built is never imported again, and a new installation records the import at once
 * with nothing to read. The files are only read, never changed or removed, so the previous release
 * still finds them after a rollback.
 *
 * <p>A session of the previous release names its token only by the token's name; it is tied to the
 * live token of that name, and dropped when there is none (its token was revoked) or it expired.
 *
 * <p>Blocking: run it off the event loop, before the tokens and sessions are used.
 */
public final class AccessStateMigration {
  private static final Logger LOG = LoggerFactory.getLogger(AccessStateMigration.class);

  static final String TOKENS_FILE = "tokens.json";
  static final String ADMIN_FILE = "admin-token.sha256";
  static final String SESSIONS_FILE = "sessions.json";

  /** A session as the previous release kept it in {@code sessions.json}. */
  record FileSession(
      String idSha256, String name, String role, String csrfToken, Instant expires) {}

  private final StateTables tables;
  private final Path dataDir;
  private final Consumer<String> console;

  /**
   * @param dataDir the web data directory ({@code DATA/web})
   * @param console where the one line per import goes, beside the log
   */
  public AccessStateMigration(StateTables tables, Path dataDir, Consumer<String> console) {
    this.tables = tables;
    this.dataDir = dataDir;
    this.console = console;
  }

  /**
   * Imports the files into the tables that were not built yet; the tables must be restored.
   *
   * @throws ValentiaException when a file exists but cannot be read, or Kafka does not take the
   *     state
   */
  public void run(
      StateTable<TokenStore.StoredToken> tokens, StateTable<Sessions.StoredSession> sessions) {
    StateMigration migration = new StateMigration(tables, console);
    if (!migration.done(Topics.STATE_TOKENS)) {
      List<TokenStore.StoredToken> imported = readTokens(tokens);
      awaitAll(imported.stream().map(t -> tokens.put(t.id(), t)).toList(), "import the tokens");
      record(Topics.STATE_TOKENS, TOKENS_FILE + ", " + ADMIN_FILE, imported.size());
    }
    if (!migration.done(Topics.STATE_SESSIONS)) {
      Map<String, Sessions.StoredSession> imported = readSessions(tokens);
      awaitAll(
          imported.entrySet().stream().map(e -> sessions.put(e.getKey(), e.getValue())).toList(),
          "import the browser sessions");
      record(Topics.STATE_SESSIONS, SESSIONS_FILE, imported.size());
    }
  }

  private List<TokenStore.StoredToken> readTokens(StateTable<TokenStore.StoredToken> table) {
    List<TokenStore.StoredToken> imported = new ArrayList<>();
    Path file = dataDir.resolve(TOKENS_FILE);
    if (Files.exists(file)) {
      try {
        imported.addAll(EventCodec.MAPPER.readValue(file.toFile(), new TypeReference<>() {}));
      } catch (IOException e) {
        throw new ValentiaException(
            file + " is not a token store (" + e.getMessage() + "); fix or remove it", e);
      }
    }
    Path admin = dataDir.resolve(ADMIN_FILE);
    if (Files.exists(admin)
        && table.get(AdminToken.ID).filter(TokenStore.StoredToken::live).isEmpty()) {
      String hex;
      try {
        hex = Files.readString(admin, StandardCharsets.US_ASCII).trim();
      } catch (IOException e) {
        throw new ValentiaException("cannot read " + admin + ": " + e, e);
      }
      if (!hex.matches("[0-9a-fA-F]{64}")) {
        throw new ValentiaException(
            admin
                + " does not hold a SHA-256 hash (64 hex digits); move it away to generate a new"
                + " admin token, or set VALENTIA_ADMIN_TOKEN");
      }
      Instant created;
      try {
        created = Files.getLastModifiedTime(admin).toInstant();
      } catch (IOException e) {
        created = Instant.now();
      }
      imported.add(
          new TokenStore.StoredToken(
              AdminToken.ID,
              AdminToken.ID,
              Role.ADMIN.value(),
              hex.toLowerCase(java.util.Locale.ROOT),
              created,
              "valentia",
              null));
    }
    return imported;
  }

  private Map<String, Sessions.StoredSession> readSessions(
      StateTable<TokenStore.StoredToken> tokens) {
    Map<String, Sessions.StoredSession> imported = new HashMap<>();
    Path file = dataDir.resolve(SESSIONS_FILE);
    if (!Files.exists(file)) {
      return imported;
    }
    List<FileSession> stored;
    try {
      stored = EventCodec.MAPPER.readValue(file.toFile(), new TypeReference<>() {});
    } catch (IOException e) {
      throw new ValentiaException(
          file + " is not a session store (" + e.getMessage() + "); fix or remove it", e);
    }
    Map<String, String> liveIdByName = new HashMap<>();
    tokens
        .snapshot()
        .values()
        .forEach(
            t -> {
              if (t.live()) {
                liveIdByName.put(t.name(), t.id());
              }
            });
    Instant now = Instant.now();
    for (FileSession s : stored) {
      String tokenId = liveIdByName.get(s.name());
      if (s.expires() != null && s.expires().isAfter(now) && tokenId != null) {
        imported.put(
            s.idSha256(),
            new Sessions.StoredSession(tokenId, s.name(), s.role(), s.csrfToken(), s.expires()));
      }
    }
    return imported;
  }

  private void record(String table, String source, int entries) {
    StateTable<StateMigration.Migrated> migrations =
        tables.open(Topics.STATE_MIGRATIONS, StateMigration.Migrated.class);
    StateMigration.await(
        migrations.put(table, new StateMigration.Migrated(table, source, entries, Instant.now())),
        "record the import of " + table);
    String line =
        "imported "
            + entries
            + (entries == 1 ? " entry of " : " entries of ")
            + source
            + " into "
            + table
            + " (once, after the upgrade; the files are left as they are)";
    if (entries == 0) {
      LOG.debug("{}", line);
      return;
    }
    LOG.info("{}", line);
    console.accept(line);
  }

  private static void awaitAll(List<CompletableFuture<Void>> writes, String what) {
    StateMigration.await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)), what);
  }
}
