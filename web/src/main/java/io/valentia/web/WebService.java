package io.valentia.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.auth.Sessions;
import io.valentia.web.auth.TokenStore;
import io.valentia.web.stream.EventStreams;
import io.vertx.core.Future;

/**
 * The {@code web} role: the HTTP server with {@code /health}, the API (and every route the other
 * services of the process contributed) and the pages. Configured by the {@code http} section.
 */
public final class WebService implements ValentiaService {
  public static final String ROLE = "web";

  @Override
  public String role() {
    return ROLE;
  }

  @Override
  public String description() {
    return "the HTTP server: /health, the API, the browser UI";
  }

  @Override
  public String configSection() {
    return "http";
  }

  /** After every other service, so that their API routes are all mounted. */
  @Override
  public int order() {
    return 1000;
  }

  @Override
  public Future<?> start(ServiceContext context) {
    WebConfig config = config(context.config());
    AdminToken token =
        AdminToken.loadOrCreate(
            context.dataDir(), context.environment().get("VALENTIA_ADMIN_TOKEN"));
    TokenStore tokens = TokenStore.open(context.dataDir());
    WebVerticle web =
        new WebVerticle(
            config,
            context.health(),
            token,
            context.api(),
            new WebVerticle.Gateway(
                tokens,
                Sessions.open(context.dataDir()),
                context.publisher(),
                new EventStreams(context.kafka(), EventStreams.Limits.DEFAULT)));
    return context
        .vertx()
        .deployVerticle(web)
        .onSuccess(
            id -> {
              context
                  .health()
                  .service(
                      ROLE,
                      ServiceStatus.running("http://" + config.host() + ":" + web.actualPort()));
              token
                  .generated()
                  .ifPresent(
                      t ->
                          context
                              .console()
                              .println(
                                  "First start: the admin API token is "
                                      + t
                                      + "\n  It is shown only this once (only its hash is kept)."
                                      + " Set VALENTIA_ADMIN_TOKEN to choose your own."));
            })
        .map(id -> web.actualPort());
  }

  /** The server's address from the {@code http} section (checked by the launcher). */
  static WebConfig config(JsonNode section) {
    return new WebConfig(
        section.path("host").asText(WebConfig.DEFAULT_HOST),
        section.path("port").asInt(WebConfig.DEFAULT_PORT));
  }
}
