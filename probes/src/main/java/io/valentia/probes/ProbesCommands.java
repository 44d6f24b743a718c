package io.valentia.probes;

import io.valentia.eventbus.service.ValentiaCommands;
import java.util.List;

/** The probes' commands: {@code valentia probe ...} and {@code valentia agent ...}. */
public final class ProbesCommands implements ValentiaCommands {
  @Override
  public List<Object> commands() {
    return List.of(
        new ProbeCommand(), new AgentCommand(), new io.valentia.probes.leases.LeaseCommand());
  }
}
