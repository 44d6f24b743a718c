package io.valentia.chaos;

import io.valentia.chaos.cli.ExperimentCommand;
import io.valentia.chaos.cli.HaltCommand;
import io.valentia.chaos.cli.ScheduleCommand;
import io.valentia.eventbus.service.ValentiaCommands;
import java.util.List;

/**
 * The chaos commands: {@code valentia experiment ...}, {@code valentia schedule ...}, {@code
 * valentia halt}.
 */
public final class ChaosCommands implements ValentiaCommands {
  @Override
  public List<Object> commands() {
    return List.of(new ExperimentCommand(), new ScheduleCommand(), new HaltCommand());
  }
}
