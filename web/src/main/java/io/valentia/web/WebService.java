package io.valentia.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.web.auth.AccessState;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.stream.EventStreams;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * The {@code web} role: the HTTP server with {@code /health}, the API (and every route the other
 * services of the process contributed) and the pages. Configured by the {@code http} section
 * ({@code host}, {@code port}, the timeouts, proxies, origins, sessions and throttle of {@link
 * WebConfig}, and {@code streams}: the live stream's caps, see {@link EventStreams.Limits#of}). A
 * {@code VALENTIA_ADMIN_TOKEN} shorter than {@value AdminToken#MIN_LENGTH} characters is refused at
 * start.
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

  /**
   * Reads the access state (tokens, sessions, admin token) from the state topics, importing the
   * previous release's files once, then starts the server.
   *
   * @return a future of the running {@link WebVerticle} (its port, its routes)
   */
  @Override
  public Future<?> start(ServiceContext context) {
    WebConfig config = config(context.config());
    String adminToken = context.environment().get("VALENTIA_ADMIN_TOKEN");
    if (adminToken != null && !adminToken.isBlank()) {
      try {
        AdminToken.configured(adminToken);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new ValentiaException("refusing to start: " + e.getMessage()));
      }
    }
    return context
        .vertx()
        .executeBlocking(
            () ->
                AccessState.open(
                    context.stateTables(),
                    context.dataDir(),
                    adminToken,
                    context.console()::println,
                    config.sessionIdle(),
                    config.sessionLifetime()),
            false)
        .compose(access -> serve(context, config, access));
  }

  private Future<WebVerticle> serve(ServiceContext context, WebConfig config, AccessState access) {
    WebVerticle web =
        new WebVerticle(
            config,
            context.health(),
            access.admin(),
            context.api(),
            new WebVerticle.Gateway(
                access.tokens(),
                access.sessions(),
                context.publisher(),
                new EventStreams(
                    context.kafka(),
                    heartbeatWithin(
                        EventStreams.Limits.of(context.config().path("streams")),
                        config.idleTimeout()))));
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
              access
                  .admin()
                  .generated()
                  .ifPresent(
                      t ->
                          context
                              .console()
                              .println(
                                  "First start: the admin API token is "
                                      + t
                                      + "\n  It is shown only this once (only its hash is kept, in "
                                      + Topics.STATE_TOKENS
                                      + "). Set VALENTIA_ADMIN_TOKEN to choose your own."));
            })
        .map(id -> web);
  }

  /** The server's settings from the {@code http} section (checked by the launcher). */
  static WebConfig config(JsonNode section) {
    return WebConfig.of(section);
  }

  /**
   * The limits with a heartbeat of at most a third of the idle timeout, so an idle live stream
   * writes well before the server would close it as idle.
   */
  static EventStreams.Limits heartbeatWithin(EventStreams.Limits limits, Duration idleTimeout) {
    Duration third = idleTimeout.dividedBy(3);
    return limits.heartbeat().compareTo(third) <= 0 ? limits : limits.withHeartbeat(third);
  }
}
