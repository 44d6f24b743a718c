package io.valentia.web.auth;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The access state of a web process, read from the platform's state topics: the tokens, the browser
 * sessions and the admin token.
 *
 * @param admin the first admin token; {@code admin.generated()} holds the secret to print once when
 *     this start generated it
 */
public record AccessState(TokenStore tokens, Sessions sessions, AdminToken admin) {

  /**
   * Opens {@link Topics#STATE_TOKENS} and {@link Topics#STATE_SESSIONS} in {@code tables}, waits
   * until both are restored, imports the previous release's files from {@code dataDir} once ({@link
   * AccessStateMigration}), and loads or generates the admin token. Blocking: call it off the event
   * loop.
   *
   * @param configuredAdmin {@code VALENTIA_ADMIN_TOKEN}, or null
   * @param console where a person starting the platform sees the import lines
   * @throws io.valentia.eventbus.ValentiaException when Kafka does not answer in time or an old
   *     file cannot be read
   */
  public static AccessState open(
      StateTables tables, Path dataDir, String configuredAdmin, Consumer<String> console) {
    return open(
        tables,
        dataDir,
        configuredAdmin,
        console,
        Sessions.DEFAULT_IDLE,
        Sessions.DEFAULT_LIFETIME);
  }

  /**
   * Like {@link #open(StateTables, Path, String, Consumer)} with the sessions' idle time and
   * lifetime.
   *
   * @throws IllegalArgumentException when {@code configuredAdmin} is too short ({@link
   *     AdminToken#configured})
   */
  public static AccessState open(
      StateTables tables,
      Path dataDir,
      String configuredAdmin,
      Consumer<String> console,
      Duration sessionIdle,
      Duration sessionLifetime) {
    if (configuredAdmin != null && !configuredAdmin.isBlank()) {
      AdminToken.configured(configuredAdmin); // refuse a weak one before touching Kafka
    }
    StateTable<TokenStore.StoredToken> tokenTable =
        tables.open(Topics.STATE_TOKENS, TokenStore.StoredToken.class);
    StateTable<Sessions.StoredSession> sessionTable =
        tables.open(Topics.STATE_SESSIONS, Sessions.StoredSession.class);
    StateMigration.await(tokenTable.restored(), "read " + Topics.STATE_TOKENS);
    StateMigration.await(sessionTable.restored(), "read " + Topics.STATE_SESSIONS);
    new AccessStateMigration(tables, dataDir, console).run(tokenTable, sessionTable);
    TokenStore tokens = TokenStore.open(tokenTable);
    AdminToken admin = AdminToken.loadOrCreate(tokens, configuredAdmin);
    return new AccessState(
        tokens,
        Sessions.open(
            sessionTable,
            tokenId ->
                tokenId == null
                    || (tokenId.equals(AdminToken.ID) ? admin.live() : tokens.live(tokenId)),
            sessionIdle,
            sessionLifetime,
            java.time.Clock.systemUTC()),
        admin);
  }

  /**
   * Who a bearer token belongs to: the admin token first, then the stored tokens. Reads the tables
   * at each call, so a revocation read from Kafka counts at once.
   */
  public ApiAuthenticator authenticator() {
    return ApiAuthenticator.either(admin, tokens);
  }
}
