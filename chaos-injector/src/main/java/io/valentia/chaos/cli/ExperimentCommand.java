package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.Activity;
import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Durations;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.InvalidExperimentException;
import io.valentia.chaos.experiment.MethodTimeline;
import io.valentia.chaos.experiment.Provider;
import io.valentia.chaos.experiment.Redaction;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.faults.Target;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.journal.JournalFiles;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
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

/** {@code valentia experiment validate|run FILE}. */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = "Check or run a Chaos Toolkit experiment (JSON or YAML).",
    subcommands = {ExperimentCommand.Validate.class, ExperimentCommand.Run.class})
public final class ExperimentCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: validate or run");
  }

  static ExperimentLoader.Loaded load(CommandSpec spec, Path file) {
    try {
      return new ExperimentLoader(FaultCatalog.standard()).load(file);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "no such file: " + file);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
    }
  }

  static void printProblems(PrintWriter out, Path file, List<ExperimentProblem> problems) {
    out.println(file + ": " + problems.size() + " problem(s), nothing was run:");
    for (ExperimentProblem p : problems) {
      out.println("  " + file + ":" + p);
    }
  }

  static ObjectNode problemsJson(Path file, List<ExperimentProblem> problems) {
    ObjectNode json =
        EventCodec.MAPPER
            .createObjectNode()
            .put("file", file.toString())
            .put("valid", problems.isEmpty());
    ArrayNode list = json.putArray("problems");
    for (ExperimentProblem p : problems) {
      ObjectNode o = list.addObject().put("path", p.path()).put("message", p.message());
      if (p.location() != null) {
        o.put("line", Integer.parseInt(p.location().split(":")[0]))
            .put("column", Integer.parseInt(p.location().split(":")[1]));
      }
    }
    return json;
  }

  /** {@code experiment validate FILE}. */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Check an experiment without running anything: every problem is listed with its line,"
            + " column and path. With --config or --allow, the process and http calls the"
            + " allow-list refuses are problems too.",
        "Exit 0 when it is valid, 1 when it has problems, 2 when the file cannot be read."
      })
  static final class Validate implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the experiment (.json, .yaml or .yml)")
    Path file;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Mixin InjectorOptions injectorOptions;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ExperimentLoader.Loaded loaded = load(spec, file);
      if (loaded.valid() && injectorOptions.given()) {
        // with a configuration, what its allow-list refuses is a problem too
        List<ExperimentProblem> refused =
            injectorOptions
                .read(spec)
                .policy()
                .providers()
                .allowList()
                .refusals(loaded.experiment());
        if (!refused.isEmpty()) {
          loaded = new ExperimentLoader.Loaded(null, refused, loaded.document());
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(problemsJson(file, loaded.problems()));
      } else if (loaded.valid()) {
        Experiment e = loaded.experiment();
        out.printf(
            "%s: valid: '%s', %d steady-state probe(s), %d method activit%s, %d rollback(s)%n",
            file,
            e.title(),
            e.hypothesis() == null ? 0 : e.hypothesis().probes().size(),
            e.method().size(),
            e.method().size() == 1 ? "y" : "ies",
            e.rollbacks().size());
      } else {
        printProblems(out, file, loaded.problems());
      }
      out.flush();
      return loaded.valid() ? 0 : 1;
    }
  }

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
  static final class Run implements Callable<Integer> {
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
      ExperimentLoader.Loaded loaded = load(spec, file);
      PrintWriter out = spec.commandLine().getOut();
      if (!loaded.valid()) {
        if (json) {
          out.println(problemsJson(file, loaded.problems()));
        } else {
          printProblems(out, file, loaded.problems());
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
          out.println(problemsJson(file, e.problems()));
        } else {
          printProblems(out, file, e.problems());
        }
        out.flush();
        return 1;
      }
      if (dryRun) {
        return plan(experiment, config, out);
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
      String source = "/chaos/cli/" + hostname();
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
            .println(
                "valentia: cannot write the journal to " + journalFile + ": " + e.getMessage());
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

    private int plan(Experiment experiment, ChaosConfig config, PrintWriter out) {
      FaultCatalog catalog = FaultCatalog.standard();
      ObjectNode plan =
          EventCodec.MAPPER.createObjectNode().put("title", experiment.title()).put("dryRun", true);
      ArrayNode steps = plan.putArray("steps");
      List<String> refused = new ArrayList<>();
      if (experiment.hypothesis() != null) {
        experiment
            .hypothesis()
            .probes()
            .forEach(a -> step(steps, "steady-state-before", a, catalog, config, refused));
      }
      experiment.method().forEach(a -> step(steps, "method", a, catalog, config, refused));
      if (experiment.hypothesis() != null) {
        experiment
            .hypothesis()
            .probes()
            .forEach(a -> step(steps, "steady-state-after", a, catalog, config, refused));
      }
      experiment.rollbacks().forEach(a -> step(steps, "rollback", a, catalog, config, refused));
      config.policy().providers().allowList().refusals(experiment).stream()
          .map(ExperimentProblem::message)
          .forEach(refused::add);
      refused.forEach(r -> plan.withArray("refused").add(r));
      MethodTimeline timeline = MethodTimeline.of(experiment, catalog);
      ObjectNode times = plan.putObject("timeline");
      for (MethodTimeline.Fault f : timeline.faults()) {
        ObjectNode entry =
            times
                .withArray("faults")
                .addObject()
                .put("activity", f.activity())
                .put("fault", f.fault())
                .put("start", Durations.seconds(f.start()));
        f.targets().forEach(t -> entry.withArray("targets").add(t.toString()));
        if (f.end() != null) {
          entry.put("end", Durations.seconds(f.end()));
        }
      }
      times
          .put("activitiesEnd", Durations.seconds(timeline.activitiesEnd()))
          .put("methodEnd", Durations.seconds(timeline.methodEnd()));
      Redaction secrets = experiment.redaction();
      if (json) {
        out.println(secrets.apply(plan));
      } else {
        out.printf("plan of '%s' (dry run: nothing is run)%n", experiment.title());
        for (JsonNode s : secrets.apply(steps)) {
          out.printf(
              "  %-20s %-6s %-28s %s%n",
              s.path("phase").asText(),
              s.path("type").asText(),
              s.path("name").asText(),
              s.path("does").asText());
        }
        printTimeline(out, timeline);
        if (refused.isEmpty()) {
          out.println("every fault target, executable and URL is on the allow-list (chaos.allow)");
        } else {
          out.println("the allow-list refuses:");
          refused.forEach(r -> out.println("  " + secrets.apply(r)));
        }
      }
      out.flush();
      return refused.isEmpty() ? 0 : 1;
    }

    private static void printTimeline(PrintWriter out, MethodTimeline timeline) {
      if (timeline.faults().isEmpty()) {
        return;
      }
      out.println(
          "timeline of the method, from its start (only pauses and fault durations count here):");
      for (MethodTimeline.Fault f : timeline.faults()) {
        out.printf(
            "  %-28s %s on %s from +%s to %s%n",
            f.activity(),
            f.fault(),
            f.targets(),
            seconds(f.start()),
            f.end() == null ? "(no duration: it cannot be undone)" : "+" + seconds(f.end()));
      }
      if (timeline.methodEnd().compareTo(timeline.activitiesEnd()) > 0) {
        out.printf(
            "  the activities end at +%s; the method goes on until +%s, when the last fault ends"
                + " (the steady state is checked meanwhile)%n",
            seconds(timeline.activitiesEnd()), seconds(timeline.methodEnd()));
      } else {
        out.printf(
            "  the method ends at +%s, every fault has ended by then%n",
            seconds(timeline.methodEnd()));
      }
    }

    private static String seconds(Duration d) {
      return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private void step(
        ArrayNode steps,
        String phase,
        Activity a,
        FaultCatalog catalog,
        ChaosConfig config,
        List<String> refused) {
      ObjectNode s =
          steps.addObject().put("phase", phase).put("type", a.type()).put("name", a.name());
      Provider p = a.provider();
      String does;
      if (p instanceof Provider.Http h) {
        does = "HTTP " + h.method() + " " + h.url();
      } else if (p instanceof Provider.Process pr) {
        does = "run " + pr.path() + " " + String.join(" ", pr.arguments());
      } else if (p instanceof Provider.Fault f) {
        Arguments args = Arguments.of(f.arguments());
        List<Target> targets = catalog.find(f.fault()).map(x -> x.targets(args)).orElse(List.of());
        does =
            "fault "
                + f.fault()
                + " on "
                + targets
                + " for "
                + f.arguments().path("duration").asText("(no duration)");
        for (Target t : targets) {
          s.withArray("targets").add(t.toString());
          if (!config.policy().allowList().allows(t)) {
            refused.add(a.name() + ": " + t + " is not on the allow-list");
          }
        }
      } else if (p instanceof Provider.EventProbe e) {
        does = "query valentia.events: " + e.probe() + " " + e.arguments();
      } else {
        does = p.type();
      }
      s.put("does", does);
    }
  }

  static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
