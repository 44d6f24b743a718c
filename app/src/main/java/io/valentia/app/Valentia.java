package io.valentia.app;

import io.valentia.app.cli.EmitCommand;
import io.valentia.app.cli.HealthCommand;
import io.valentia.app.cli.StatusCommand;
import io.valentia.app.cli.TailCommand;
import io.valentia.app.cli.UpCommand;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.service.ValentiaCommands;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * The system property {@code log4j2.xml} reads for the Kafka clients' level: set to {@code ERROR}
   * before logging starts, it keeps a command's Kafka warnings off without starting logging.
   */
  static final String KAFKA_LOG_LEVEL = "valentia.log.kafka";

  /** The system property {@code log4j2.xml} reads for the state tables' reader's level. */
  static final String STATE_TABLE_LOG_LEVEL = "valentia.log.statetable";

  /** Set by {@link #main} once the Kafka clients' level was given before logging started. */
  private static volatile boolean quietedBeforeLogging;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  public static void main(String[] args) {
    String first = args.length > 0 ? args[0] : null;
    if (!"up".equals(first)) {
      // a fresh JVM: logging has not started, and a command that never logs never starts it
      // (-Dvalentia.log.kafka=WARN in JAVA_OPTS brings the warnings back)
      if (System.getProperty(KAFKA_LOG_LEVEL) == null) {
        System.setProperty(KAFKA_LOG_LEVEL, "ERROR");
      }
      if (System.getProperty(STATE_TABLE_LOG_LEVEL) == null) {
        System.setProperty(STATE_TABLE_LOG_LEVEL, "OFF");
      }
      quietedBeforeLogging = true;
    }
    System.exit(commandLine(first).execute(args));
  }

  /** The command line with Valentia's exit codes and error reporting, with every command. */
  public static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The command line for arguments starting with {@code first}: when it names a command, only that
   * command is built (a short command does not pay for the model of thirty others), otherwise all
   * are, for the top-level help and the nearest name to a mistyped one.
   *
   * @param first the first argument, or null for every command
   */
  public static CommandLine commandLine(String first) {
    CommandLine commandLine = new CommandLine(new Valentia());
    List<Class<?>> builtIn = BUILT_IN.stream().filter(c -> names(c).contains(first)).toList();
    if (!builtIn.isEmpty()) {
      builtIn.forEach(commandLine::addSubcommand);
    } else {
      // modules add their own commands (valentia probe ..., valentia experiment ...); a module's
      // commands are made only up to the one that has the command named, so that the others'
      // classes (Kafka's, Lucene's) are not loaded for nothing
      List<Object> commands = new ArrayList<>();
      List<Object> named = List.of();
      for (ValentiaCommands provider : java.util.ServiceLoader.load(ValentiaCommands.class)) {
        List<Object> made = provider.commands();
        named = made.stream().filter(c -> names(c.getClass()).contains(first)).toList();
        if (!named.isEmpty()) {
          break;
        }
        commands.addAll(made);
      }
      if (named.isEmpty()) {
        BUILT_IN.forEach(commandLine::addSubcommand);
        commands.forEach(commandLine::addSubcommand);
      } else {
        named.forEach(commandLine::addSubcommand);
      }
    }
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
              && !"up".equals(parsed.subcommand().commandSpec().name())
              && !quietedBeforeLogging) {
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

  private static final List<Class<?>> BUILT_IN =
      List.of(
          UpCommand.class,
          StatusCommand.class,
          HealthCommand.class,
          EmitCommand.class,
          TailCommand.class);

  /** The names a command answers to: its name and aliases. */
  private static List<String> names(Class<?> command) {
    Command annotation = command.getAnnotation(Command.class);
    if (annotation == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>(List.of(annotation.aliases()));
    names.add(annotation.name());
    return names;
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
