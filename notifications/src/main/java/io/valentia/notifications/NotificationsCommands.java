package io.valentia.notifications;

import io.valentia.eventbus.service.ValentiaCommands;
import io.valentia.notifications.cli.NotifyCommand;
import io.valentia.notifications.cli.SilenceCommand;
import java.util.List;

/** The notifications' commands: {@code valentia notify ...} and {@code valentia silence ...}. */
public final class NotificationsCommands implements ValentiaCommands {
  @Override
  public List<Object> commands() {
    return List.of(new NotifyCommand(), new SilenceCommand());
  }
}
