package io.valentia.web.cli;

import io.valentia.eventbus.service.ValentiaCommands;
import java.util.List;

/** The web module's commands: {@code valentia token ...}. */
public final class WebCommands implements ValentiaCommands {
  @Override
  public List<Object> commands() {
    return List.of(new TokenCommand());
  }
}
