package io.valentia.notifications;

import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.vertx.core.Future;

/**
 * The {@code notifications} role: raises alerts from Valentia's events, routes, groups, inhibits
 * and silences them as Alertmanager does, and delivers each notification through a durable outbox
 * to Slack, Mattermost, Discord and webhook receivers.
 */
public final class NotificationsService implements ValentiaService {
  @Override
  public String role() {
    return "notifications";
  }

  @Override
  public String description() {
    return "Slack, Mattermost, Discord and webhook notifications, routed as Alertmanager does";
  }

  @Override
  public Future<?> start(ServiceContext context) {
    return Future.succeededFuture();
  }
}
