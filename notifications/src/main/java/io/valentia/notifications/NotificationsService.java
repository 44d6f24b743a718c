package io.valentia.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.notifications.api.NotificationsApi;
import io.valentia.notifications.api.SilencesApi;
import io.valentia.notifications.config.NotificationsConfig;
import io.valentia.notifications.delivery.DeliverySettings;
import io.valentia.notifications.delivery.Outbox;
import io.valentia.notifications.inbound.AlertmanagerWebhook;
import io.valentia.notifications.inbound.SlackCommands;
import io.valentia.notifications.inbound.SlackCommandsConfig;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code notifications} role: raises alerts from Valentia's events, routes, groups, inhibits
 * and silences them as Alertmanager does, and delivers each notification through a durable outbox
 * to Slack, Mattermost, Discord and webhook receivers. It also takes alerts from Prometheus
 * Alertmanager ({@code /api/v1/alertmanager}) and Slack's {@code /valentia} command ({@code
 * /api/v1/slack/commands}).
 *
 * <p>Its configuration is the {@code notifications:} section of Valentia's YAML, in Alertmanager's
 * shape ({@code route}, {@code receivers}, {@code inhibit_rules}) with {@code external_url}, {@code
 * delivery} and {@code slack}. Without a {@code route} nothing is sent; the silences, the
 * Alertmanager webhook and the API still work.
 */
public final class NotificationsService implements ValentiaService {
  @Override
  public String role() {
    return "notifications";
  }

  @Override
  public List<String> apiPaths() {
    return List.of("/notifications", "/silences", "/alertmanager", "/slack");
  }

  @Override
  public List<String> signedApiPaths() {
    return List.of("/slack");
  }

  @Override
  public String description() {
    return "Slack, Mattermost, Discord and webhook notifications, routed as Alertmanager does";
  }

  @Override
  public List<String> checkConfig(JsonNode section) {
    List<String> problems = new ArrayList<>();
    parse(section, System.getenv(), problems);
    return problems;
  }

  /** The whole configuration, or null with every problem in {@code problems}. */
  private static Parsed parse(
      JsonNode section, Map<String, String> environment, List<String> problems) {
    NotificationsConfig config;
    try {
      config =
          section == null || section.isMissingNode() || section.isNull()
              ? NotificationsConfig.none()
              : NotificationsConfig.parse(section);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return null;
    }
    DeliverySettings delivery = DeliverySettings.parse(config.delivery(), problems);
    SlackCommandsConfig slack = SlackCommandsConfig.parse(config.slack(), environment, problems);
    return problems.isEmpty() ? new Parsed(config, delivery, slack) : null;
  }

  private record Parsed(
      NotificationsConfig config, DeliverySettings delivery, SlackCommandsConfig slack) {}

  @Override
  public Future<?> start(ServiceContext context) {
    List<String> problems = new ArrayList<>();
    Parsed parsed = parse(context.config(), context.environment(), problems);
    if (parsed == null) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "notifications: the configuration is not valid:\n  "
                  + String.join("\n  ", problems)));
    }
    Clock clock = Clock.systemUTC();
    Outbox outbox =
        new Outbox(
            context.vertx(),
            context.stateTables(),
            context.publisher(),
            parsed.config().receivers(),
            parsed.config().externalUrl(),
            parsed.delivery(),
            context.health());
    NotificationsVerticle pipeline =
        new NotificationsVerticle(
            parsed.config(),
            context.kafka(),
            context.publisher(),
            context.stateTables(),
            context.health(),
            outbox,
            clock);
    return context
        .vertx()
        .deployVerticle(pipeline)
        .onSuccess(
            id -> {
              context
                  .api()
                  .mount(
                      "/notifications",
                      new NotificationsApi(pipeline).mount(Router.router(context.vertx())));
              context
                  .api()
                  .mount(
                      "/silences",
                      new SilencesApi(pipeline, context.publisher(), clock)
                          .mount(Router.router(context.vertx())));
              context
                  .api()
                  .mount(
                      "/alertmanager",
                      new AlertmanagerWebhook(context.publisher())
                          .mount(Router.router(context.vertx())));
              context
                  .api()
                  .mountSigned(
                      "/slack",
                      new SlackCommands(
                              context.vertx(),
                              parsed.slack(),
                              pipeline,
                              context.publisher(),
                              () -> context.health().report().map(NotificationsService::status),
                              clock)
                          .mount(Router.router(context.vertx())));
              if (parsed.config().route() == null) {
                context
                    .console()
                    .println(
                        "notifications: no route configured (notifications.route), nothing will"
                            + " be sent");
              }
            });
  }

  /** The health report as Slack shows it. */
  static String status(HealthReport report) {
    StringBuilder text = new StringBuilder("*" + report.status() + "*");
    for (Map.Entry<String, HealthCheck> check : report.checks().entrySet()) {
      HealthCheck c = check.getValue();
      text.append("\n• `")
          .append(check.getKey())
          .append("` ")
          .append(c.severity())
          .append(c.muted() ? " (muted)" : "")
          .append(": ")
          .append(c.summary());
    }
    if (report.checks().isEmpty()) {
      text.append("\nNo health check is raised.");
    }
    return text.toString();
  }
}
