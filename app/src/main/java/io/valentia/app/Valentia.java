package io.valentia.app;

import io.valentia.app.cli.EmitCommand;
import io.valentia.app.cli.HealthCommand;
import io.valentia.app.cli.StatusCommand;
import io.valentia.app.cli.TailCommand;
import io.valentia.app.cli.UpCommand;
import io.valentia.app.config.ConfigException;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.service.ValentiaCommands;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code valentia} command. Every subcommand: {@code --help}; exit 0 on success, 1 when it ran
 * and found a problem, 2 on bad usage.
 */
@Command(
    name = "valentia",
    mixinStandardHelpOptions = true,
    versionProvider = Valentia.Version.class,
    description = "Chaos engineering and blameless incident review on an Apache Kafka backbone.",
    subcommands = {
      UpCommand.class,
      StatusCommand.class,
      HealthCommand.class,
      EmitCommand.class,
      TailCommand.class
    },
    footer = {
      "",
      "Commands that talk to a running platform find it with --url / VALENTIA_URL (default"
          + " http://127.0.0.1:8080) and --kafka / VALENTIA_KAFKA_BOOTSTRAP (default"
          + " 127.0.0.1:9092), and authenticate with --token / VALENTIA_TOKEN."
    })
public final class Valentia implements Runnable {
  /** The command ran and found a problem. */
  public static final int PROBLEM = 1;

  /** Bad usage: unknown options, bad values, bad configuration. */
  public static final int USAGE = 2;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with Valentia's exit codes and error reporting. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Valentia());
    // modules add their own commands (valentia probe ..., valentia experiment ...)
    java.util.ServiceLoader.load(ValentiaCommands.class)
        .forEach(provider -> provider.commands().forEach(commandLine::addSubcommand));
    commandLine.setExitCodeExceptionMapper(
        e ->
            e instanceof CommandLine.ParameterException
                    || e instanceof ConfigException
                    || e instanceof InvalidEventException
                ? USAGE
                : PROBLEM);
    commandLine.setParameterExceptionHandler(Valentia::badUsage);
    commandLine.setExecutionStrategy(
        parsed -> {
          refuseUnknownCommands(parsed);
          if (parsed.subcommand() != null
              && !"up".equals(parsed.subcommand().commandSpec().name())) {
            quietKafkaClients();
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          if (e instanceof ConfigException config) {
            err.println("valentia: bad configuration:");
            config.problems().forEach(p -> err.println("  " + p));
            return USAGE;
          }
          if (e instanceof InvalidEventException invalid) {
            err.println("valentia: not a valid event (" + invalid.reason().value() + "):");
            invalid.problems().forEach(p -> err.println("  " + p));
            return USAGE;
          }
          if (e instanceof ValentiaException) {
            err.println("valentia: " + e.getMessage());
            return PROBLEM;
          }
          throw e;
        });
    return commandLine;
  }

  /**
   * Reports bad usage the short way: the error, the nearest commands or options when a word was not
   * recognised, and a one-line hint to the command's {@code --help}. The full usage text is printed
   * only on {@code --help}. Handles the errors picocli finds while parsing and the {@link
   * CommandLine.ParameterException}s commands throw themselves.
   *
   * @return {@link #USAGE}
   */
  static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.isUnknownOption()
        && !command.getSubcommands().isEmpty()
        && command.getCommandSpec().positionalParameters().isEmpty()) {
      err.println("valentia: unknown command '" + unmatched.getUnmatched().get(0) + "'");
      if (!unmatched.printSuggestions(err)) {
        err.println("commands: " + String.join(", ", command.getSubcommands().keySet()));
      }
    } else {
      err.println("valentia: " + e.getMessage());
      if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
        unmatched.printSuggestions(err);
      }
    }
    err.println("see '" + command.getCommandSpec().qualifiedName() + " --help'");
    err.flush();
    return USAGE;
  }

  /**
   * picocli lets {@code valentia notify --help} print the top-level usage and succeed: a word that
   * names no command is an error even next to {@code --help}.
   */
  private static void refuseUnknownCommands(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
      if (!level.unmatched().isEmpty()
          && !level.commandSpec().parser().unmatchedArgumentsAllowed()) {
        throw new CommandLine.UnmatchedArgumentException(
            level.commandSpec().commandLine(), level.unmatched());
      }
    }
  }

  /**
   * A command-line command reports an unreachable Kafka itself, in one line; the Kafka clients'
   * retry warnings (a dozen lines before it) and the state tables' reader errors are kept for
   * {@code up}, which runs for long.
   */
  static void quietKafkaClients() {
    org.apache.logging.log4j.core.config.Configurator.setAllLevels(
        "org.apache.kafka", org.apache.logging.log4j.Level.ERROR);
    // a state table's reader logs its own failure with a stack trace; the command says it in one
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.valentia.eventbus.kafka.StateTable", org.apache.logging.log4j.Level.OFF);
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Valentia.class.getPackage().getImplementationVersion();
      return new String[] {"valentia " + (version == null ? "(development build)" : version)};
    }
  }
}
