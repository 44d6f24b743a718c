package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.Durations;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.InvalidExperimentException;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.journal.JournalFiles;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code experiment run FILE}. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run an experiment on this machine: steady state before, method, steady state after,"
          + " rollbacks (always). The method lasts until every fault it injected has reached its"
          + " duration (a halt or an abort ends it at once); faults revert themselves then, and"
          + " when the run ends. A method activity that fails fails the run, unless it says"
          + " tolerate_failure: true. --dry-run shows when each fault starts and ends. Each step is published on valentia.events when Kafka answers; the journal"
          + " (Chaos Toolkit format) is written to --journal.",
      "Exit 0 when it completed without deviating, 1 when it failed, deviated, was aborted or"
          + " interrupted (or is invalid), 2 on bad usage."
    })
final class ExperimentRunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the experiment (.json, .yaml or .yml)")
  Path file;

  @Option(
      names = "--dry-run",
      description =
          "show the plan (and what the allow-list refuses: fault targets, executables, URLs);"
              + " run nothing")
  boolean dryRun;

  @Option(names = "--json", description = "print the journal (or the plan) as JSON")
  boolean json;

  @Option(
      names = "--journal",
      paramLabel = "FILE",
      description = "where to write the journal (default: journal.json)")
  Path journalFile = Path.of("journal.json");

  @Option(names = "--no-events", description = "do not publish events (no Kafka needed)")
  boolean noEvents;

  @Option(
      names = "--steady-state-every",
      paramLabel = "DURATION",
      description =
          "check the hypothesis this often during the method; 0 = never (default: the configuration's, 5s)")
  String steadyStateEvery;

  @Mixin Connection connection;
  @Mixin InjectorOptions injectorOptions;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ChaosConfig config = injectorOptions.read(spec);
    Duration interval = config.steadyStateInterval();
    if (steadyStateEvery != null) {
      interval =
          Durations.parse(steadyStateEvery)
              .orElseThrow(
                  () ->
                      new ParameterException(
                          spec.commandLine(),
                          "--steady-state-every: not a duration: " + steadyStateEvery));
    }
    ExperimentLoader.Loaded loaded = ExperimentCommand.load(spec, file);
    PrintWriter out = spec.commandLine().getOut();
    if (!loaded.valid()) {
      if (json) {
        out.println(ExperimentCommand.problemsJson(file, loaded.problems()));
      } else {
        ExperimentCommand.printProblems(out, file, loaded.problems());
      }
      out.flush();
      return 1;
    }
    Experiment experiment;
    try {
      experiment =
          new ExperimentLoader(FaultCatalog.standard())
              .resolve(loaded, System.getenv(), file.toString());
    } catch (InvalidExperimentException e) {
      if (json) {
        out.println(ExperimentCommand.problemsJson(file, e.problems()));
      } else {
        ExperimentCommand.printProblems(out, file, e.problems());
      }
      out.flush();
      return 1;
    }
    if (dryRun) {
      return ExperimentPlan.print(experiment, config, out, json);
    }
    boolean kafka = !noEvents && connection.reachable(Duration.ofSeconds(5));
    if (!noEvents && !kafka) {
      spec.commandLine()
          .getErr()
          .println(
              "valentia: Kafka at "
                  + connection.described()
                  + " does not answer: events are not published and halts do not reach this run; the journal is the record (use --no-events to say so)");
    }
    Vertx vertx = kafka ? Vertx.vertx() : null;
    KafkaEventPublisher publisher =
        kafka ? new KafkaEventPublisher(vertx, connection.settings(), "chaos-cli") : null;
    RunEvents events = kafka ? RunEvents.publishing(publisher) : RunEvents.none();
    String source = "/chaos/cli/" + ExperimentCommand.hostname();
    Journal journal;
    try (ChaosInjector injector =
        new ChaosInjector(
            config,
            FaultCatalog.standard(),
            kafka ? connection.settings() : null,
            events,
            source,
            Clock.systemUTC())) {
      if (kafka) {
        injector.followControl(
            new io.valentia.chaos.safety.ControlSeal(
                io.valentia.eventbus.security.PlatformKey.loadOrCreate(connection.dataDir())));
        try {
          injector
              .recover()
              .forEach(line -> spec.commandLine().getErr().println("valentia: " + line));
        } catch (RuntimeException e) {
          spec.commandLine()
              .getErr()
              .println(
                  "valentia: could not look for faults left by stopped injectors: "
                      + e.getMessage());
        }
      }
      java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                // Ctrl-C or SIGTERM: stop the run, revert its faults now, let its rollbacks
                // finish
                injector.runner().stopAll("interrupted", "the command was interrupted", "signal");
                injector.faults().revertAll("the command was interrupted");
                try {
                  finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        journal =
            injector.runner().run(experiment, new ExperimentRunner.RunOptions(null, interval));
      } catch (FaultException.Refused e) {
        spec.commandLine().getErr().println("valentia: " + e.getMessage());
        return 1;
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    } finally {
      int lost = events.awaitDelivered(Duration.ofSeconds(20));
      if (lost > 0) {
        spec.commandLine()
            .getErr()
            .println("valentia: " + lost + " event(s) of the run were not published");
      }
      if (publisher != null) {
        publisher.close();
      }
      if (vertx != null) {
        vertx.close();
      }
    }
    ObjectNode journalJson = journal.toJson();
    try {
      JournalFiles.write(
          journalFile,
          EventCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(journalJson));
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println("valentia: cannot write the journal to " + journalFile + ": " + e.getMessage());
    }
    if (json) {
      out.println(journalJson);
    } else {
      printJournal(out, journal);
    }
    out.flush();
    return journal.status().equals("completed") && !journal.deviated() ? 0 : 1;
  }

  private void printJournal(PrintWriter out, Journal journal) {
    out.printf("run %s of '%s'%n", journal.runId(), journal.experiment().path("title").asText());
    List<ActivityRun> all = new ArrayList<>();
    if (journal.before() != null) {
      all.addAll(journal.before());
    }
    all.addAll(journal.run());
    all.addAll(journal.during());
    if (journal.after() != null) {
      all.addAll(journal.after());
    }
    all.addAll(journal.rollbacks());
    for (ActivityRun r : all) {
      String verdict =
          r.toleranceMet() == null
              ? ""
              : r.toleranceMet() ? "  tolerance met" : "  TOLERANCE NOT MET";
      out.printf(
          "  %-20s %-6s %-28s %-9s %6.2f s%s%s%n",
          r.phase(),
          r.activity().path("type").asText(),
          r.activity().path("name").asText(),
          r.status(),
          r.duration().toMillis() / 1000.0,
          verdict,
          r.exception() == null ? "" : "  " + r.exception());
    }
    out.printf(
        "status: %s%s, %.2f s%s; journal: %s%n",
        journal.status(),
        journal.deviated() ? " (deviated)" : "",
        journal.duration().toMillis() / 1000.0,
        journal.reason() == null ? "" : " (" + journal.reason() + ")",
        journalFile);
  }
}
