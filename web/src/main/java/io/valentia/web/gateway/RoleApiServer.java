package io.valentia.web.gateway;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthSource;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.auth.ApiAuthenticator;
import io.valentia.web.auth.Sessions;
import io.valentia.web.auth.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The HTTP server of a process that runs roles but not {@code web}: its services' API routes and
 * {@code /health} on the process's own port, so that the gateway (the {@code web} role elsewhere)
 * can forward to them. Every request is authenticated here again against the tokens and sessions of
 * the shared state topics, so the port is never an open back door; it never creates an admin token
 * or a session itself.
 */
public final class RoleApiServer {
  private RoleApiServer() {}

  /**
   * Reads the token and session tables and starts the server.
   *
   * @param configuredAdmin {@code VALENTIA_ADMIN_TOKEN}, or null
   * @param audit where the audit events of changes go
   * @return the port bound
   */
  public static Future<Integer> start(
      Vertx vertx,
      WebConfig config,
      StateTables tables,
      HealthSource health,
      ApiRoutes api,
      EventPublisher audit,
      String configuredAdmin) {
    return vertx
        .executeBlocking(
            () -> {
              StateTable<TokenStore.StoredToken> tokenTable =
                  tables.open(Topics.STATE_TOKENS, TokenStore.StoredToken.class);
              StateTable<Sessions.StoredSession> sessionTable =
                  tables.open(Topics.STATE_SESSIONS, Sessions.StoredSession.class);
              StateMigration.await(tokenTable.restored(), "read " + Topics.STATE_TOKENS);
              StateMigration.await(sessionTable.restored(), "read " + Topics.STATE_SESSIONS);
              TokenStore tokens = TokenStore.open(tokenTable);
              AdminToken admin = AdminToken.stored(tokens, configuredAdmin);
              Sessions sessions =
                  Sessions.open(
                      sessionTable,
                      tokenId ->
                          tokenId == null
                              || (tokenId.equals(AdminToken.ID)
                                  ? admin.live()
                                  : tokens.live(tokenId)));
              return WebVerticle.roleApi(
                  config, health, ApiAuthenticator.either(admin, tokens), sessions, audit, api);
            },
            false)
        .compose(server -> vertx.deployVerticle(server).map(id -> server.actualPort()));
  }
}
