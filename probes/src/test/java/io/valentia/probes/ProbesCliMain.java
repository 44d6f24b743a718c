package io.valentia.probes;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The probes' commands as the {@code valentia} launcher runs them ({@code probe ...}, {@code agent
 * ...}), for tests that must run them as their own process (e.g. inside a network namespace).
 */
@Command(
    name = "valentia",
    subcommands = {ProbeCommand.class, AgentCommand.class})
public final class ProbesCliMain {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with the launcher's exit codes: 2 bad usage, 1 a problem. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new ProbesCliMain());
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof io.valentia.eventbus.ValentiaException) {
            cmd.getErr().println("valentia: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return commandLine;
  }
}
