package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.schedule.Schedule;
import io.valentia.chaos.schedule.ScheduleChanges;
import io.valentia.chaos.schedule.ScheduleOptions;
import io.valentia.chaos.schedule.ScheduleRecords;
import io.valentia.chaos.schedule.ScheduleTable;
import io.valentia.chaos.schedule.Trigger;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code valentia schedule add|list|remove}: schedules live in valentia.state.schedules. */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description =
        "Put experiments on a schedule. Schedules are kept in valentia.state.schedules (each change"
            + " is also a record on valentia.control), so they survive restarts; the chaos"
            + " injector that leads the schedules runs them.",
    subcommands = {
      ScheduleCommand.Add.class,
      ScheduleCommand.ListSchedules.class,
      ScheduleCommand.Remove.class
    })
public final class ScheduleCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: add, list or remove");
  }

  static void publish(Connection connection, ExperimentScheduled record) {
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(vertx, connection.settings(), "chaos-schedule");
    io.valentia.chaos.safety.ControlSeal seal = connection.seal();
    try (ChaosState state = open(connection);
        ScheduleTable table = new ScheduleTable(connection.settings(), state.control(), seal)) {
      new ScheduleChanges(table, publisher, seal, "/cli/" + ExperimentCommand.hostname())
          .apply(record, Connection.sender())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (e instanceof ValentiaException v) {
        throw v;
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ValentiaException(
          "Kafka at "
              + connection.described()
              + " did not take the schedule: "
              + cause.getMessage()
              + " (is the platform up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP)",
          cause);
    } finally {
      publisher.close();
      vertx.close();
    }
  }

  /**
   * Where a command that changes a schedule goes: the platform's API when a token is given ({@code
   * --token}, {@code VALENTIA_TOKEN}), as the token's principal, checked and audited like any API
   * call; else Kafka directly, sealed with the platform key of the data directory.
   */
  static final class Api {
    @Mixin ApiOptions platform;

    String token() {
      return platform.token();
    }

    /**
     * Sends {@code body} (null for none) to {@code /api/v1/schedules/PATH} and returns the answer.
     *
     * @throws ValentiaException when no platform answers or it refuses (with its answer)
     */
    com.fasterxml.jackson.databind.JsonNode call(String method, String path, ObjectNode body) {
      return platform
          .client()
          .timeouts(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(15))
          .send(method, "/api/v1/schedules" + path, body == null ? null : body.toString())
          .orThrow()
          .body();
    }
  }

  static Map<String, ExperimentScheduled> current(Connection connection) {
    try (ChaosState state = open(connection);
        ScheduleTable table =
            new ScheduleTable(
                connection.settings(),
                state.control(),
                new io.valentia.chaos.safety.ControlSeal(
                    io.valentia.eventbus.security.PlatformKey.generate()))) {
      return table.schedules(); // listing only: nothing is sealed or checked
    }
  }

  /** The chaos state tables, read (and built once after an upgrade) for one command. */
  private static ChaosState open(Connection connection) {
    try {
      return ChaosState.open(
          connection.settings(), line -> System.err.println("valentia: " + line));
    } catch (RuntimeException e) {
      throw new ValentiaException(
          "cannot read schedules from Kafka at "
              + connection.described()
              + ": "
              + e.getMessage()
              + " (is the platform up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP)",
          e);
    }
  }

  /** {@code schedule add FILE}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Schedule an experiment (checked first; nothing is scheduled when it has problems).",
        "Exit 0 when scheduled, 1 when the experiment is invalid or Kafka does not take it, 2 on bad usage."
      })
  static final class Add implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the experiment (.json, .yaml or .yml)")
    Path file;

    @Option(
        names = "--cron",
        paramLabel = "EXPR",
        description = "UNIX (5 fields) or Quartz (6-7 fields) cron expression")
    String cron;

    @Option(names = "--every", paramLabel = "DURATION", description = "a fixed interval, e.g. 30m")
    String every;

    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "the schedule's id (default: a new one); an existing id is replaced")
    String id;

    @Option(
        names = "--zone",
        paramLabel = "ZONE",
        description = "time zone of the cron fields (default UTC)")
    String zone;

    @Option(
        names = "--jitter",
        paramLabel = "DURATION",
        description = "delay each run by a random amount up to this")
    String jitter;

    @Option(
        names = "--blackout",
        paramLabel = "HH:MM-HH:MM",
        description = "a daily window without runs (repeatable)")
    List<String> blackouts = new ArrayList<>();

    @Option(
        names = "--concurrency",
        paramLabel = "POLICY",
        description = "forbid (default), allow or replace")
    String concurrency;

    @Option(names = "--missed", paramLabel = "POLICY", description = "skip (default) or run-once")
    String missed;

    @Option(
        names = "--history",
        paramLabel = "N",
        description = "past runs to remember (default 20)")
    Integer history;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Mixin Connection connection;
    @Mixin Api api;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if ((cron == null) == (every == null)) {
        throw new ParameterException(spec.commandLine(), "give either --cron or --every");
      }
      String written = cron != null ? cron : "every " + every;
      Trigger trigger;
      try {
        trigger = Trigger.parse(written);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      ObjectNode optionsJson = EventCodec.MAPPER.createObjectNode();
      if (zone != null) {
        optionsJson.put("zone", zone);
      }
      if (jitter != null) {
        optionsJson.put("jitter", jitter);
      }
      blackouts.forEach(b -> optionsJson.withArray("blackouts").add(b));
      if (concurrency != null) {
        optionsJson.put("concurrency", concurrency);
      }
      if (missed != null) {
        optionsJson.put("missed", missed);
      }
      if (history != null) {
        optionsJson.put("historyLimit", history);
      }
      List<String> problems = new ArrayList<>();
      ScheduleOptions options = ScheduleOptions.read(optionsJson, problems);
      if (!problems.isEmpty()) {
        throw new ParameterException(spec.commandLine(), String.join("; ", problems));
      }
      ExperimentLoader.Loaded loaded = ExperimentCommand.load(spec, file);
      PrintWriter out = spec.commandLine().getOut();
      if (!loaded.valid()) {
        ExperimentCommand.printProblems(out, file, loaded.problems());
        out.flush();
        return 1;
      }
      Schedule schedule =
          new Schedule(
              id != null ? id : UUID.randomUUID().toString(),
              loaded.experiment().title(),
              written,
              trigger,
              loaded.document(),
              options);
      ZonedDateTime next = trigger.next(ZonedDateTime.now(options.zone()), options.zone());
      if (api.token() != null) {
        ObjectNode body =
            EventCodec.MAPPER.createObjectNode().put("id", schedule.id()).put("schedule", written);
        body.set("experiment", loaded.document());
        body.set("options", optionsJson);
        String nextRun = api.call("POST", "", body).path("nextRun").asText(null);
        next = nextRun == null ? null : ZonedDateTime.parse(nextRun);
      } else {
        publish(
            connection, ScheduleRecords.record(schedule, next == null ? null : next.toInstant()));
      }
      if (json) {
        out.println(
            EventCodec.MAPPER
                .createObjectNode()
                .put("id", schedule.id())
                .put("schedule", written)
                .put("nextRun", next == null ? null : next.toInstant().toString()));
      } else {
        out.printf(
            "scheduled '%s' as %s: %s, next run %s%n",
            schedule.title(), schedule.id(), written, next == null ? "never" : next.toInstant());
      }
      out.flush();
      return 0;
    }
  }

  /** {@code schedule list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the schedules in valentia.state.schedules.")
  static final class ListSchedules implements Callable<Integer> {
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Map<String, ExperimentScheduled> all = current(connection);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ArrayNode list = EventCodec.MAPPER.createArrayNode();
        all.values()
            .forEach(
                r -> {
                  ObjectNode o =
                      list.addObject()
                          .put("id", r.scheduleId())
                          .put("title", r.title())
                          .put("schedule", r.schedule());
                  if (r.options() != null) {
                    o.set("options", r.options());
                  }
                });
        out.println(list);
      } else if (all.isEmpty()) {
        out.println("no schedules");
      } else {
        all.values()
            .forEach(
                r -> out.printf("%-36s  %-20s  %s%n", r.scheduleId(), r.schedule(), r.title()));
      }
      out.flush();
      return 0;
    }
  }

  /** {@code schedule remove ID}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a schedule; runs in progress go on.",
        "Exit 1 when there is no such schedule."
      })
  static final class Remove implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "the schedule's id")
    String id;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Mixin Connection connection;
    @Mixin Api api;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (api.token() != null) {
        api.call(
            "DELETE",
            "/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8),
            null);
        if (json) {
          out.println(EventCodec.MAPPER.createObjectNode().put("id", id).put("removed", true));
        } else {
          out.println("removed schedule " + id);
        }
        out.flush();
        return 0;
      }
      ExperimentScheduled existing = current(connection).get(id);
      if (existing == null) {
        spec.commandLine().getErr().println("valentia: no schedule " + id);
        return 1;
      }
      publish(
          connection,
          new ExperimentScheduled(
              existing.title(), id, existing.schedule(), null, null, null, true));
      if (json) {
        out.println(EventCodec.MAPPER.createObjectNode().put("id", id).put("removed", true));
      } else {
        out.println("removed schedule " + id + " ('" + existing.title() + "')");
      }
      out.flush();
      return 0;
    }
  }
}
