package io.valentia.probes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia agent KIND ...}: runs one agent (a responder other hosts' probes talk to). */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Run one agent alone, in the foreground.",
    subcommands = {
      io.valentia.probes.mtu.MtuEchoCommand.class,
    })
public final class AgentCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name an agent");
  }
}
