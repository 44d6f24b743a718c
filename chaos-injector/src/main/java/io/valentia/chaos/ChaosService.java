package io.valentia.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.journal.JournalFiles;
import io.valentia.chaos.safety.ControlSeal;
import io.valentia.chaos.safety.HaltBroadcast;
import io.valentia.chaos.schedule.Schedule;
import io.valentia.chaos.schedule.ScheduleApi;
import io.valentia.chaos.schedule.ScheduleChanges;
import io.valentia.chaos.schedule.ScheduleLeadership;
import io.valentia.chaos.schedule.ScheduleTable;
import io.valentia.chaos.schedule.Scheduler;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code chaos} role: one injector of this process, following {@code valentia.control} (halts,
 * dead-man switch), with its state in {@code valentia.state.faults} and {@code
 * valentia.state.schedules} (read at start; built once from valentia.control after an upgrade). API
 * under {@code /api/v1}: {@code GET|POST /halt}, {@code POST /experiments/validate}, {@code POST
 * /experiments/runs}, {@code GET /experiments/runs/ID} and the routes of {@link ExperimentRunsApi}
 * (see {@link ChaosApi}), {@code GET|POST /schedules}, {@code GET|DELETE /schedules/ID} (see {@link
 * ScheduleApi}). Journals are kept in {@code DATA/chaos/journals}. This class wires the parts
 * together; the routes live in the API classes.
 */
public final class ChaosService implements ValentiaService {
  public static final String ROLE = "chaos";
  private static final Logger LOG = LoggerFactory.getLogger(ChaosService.class);

  @Override
  public String role() {
    return ROLE;
  }

  @Override
  public List<String> apiPaths() {
    return List.of("/halt", "/experiments", "/schedules");
  }

  @Override
  public String description() {
    return "chaos injector: experiments, faults, halt-all";
  }

  @Override
  public List<String> checkConfig(JsonNode section) {
    List<String> problems = new ArrayList<>();
    ChaosConfig.read(section, problems);
    return problems;
  }

  @Override
  public Future<?> start(ServiceContext context) {
    ChaosConfig config = ChaosConfig.read(context.config());
    return context
        .vertx()
        .executeBlocking(
            () -> {
              ControlSeal seal = new ControlSeal(context.platformKey(), refusals(context));
              ChaosState state =
                  ChaosState.open(
                      context.stateTables(),
                      line -> context.console().println("chaos: " + line),
                      seal);
              return Map.entry(state, seal);
            })
        .compose(opened -> serve(context, config, opened.getKey(), opened.getValue()));
  }

  /**
   * Reports a refused command: a {@code denied} audit event by whoever it claims to come from, and
   * the record itself to the dead letters (reason {@code unauthorized}).
   */
  private static ControlSeal.Refusals refusals(ServiceContext context) {
    return (topic, key, value, action, verdict) -> {
      ProducerRecord<byte[], byte[]> dead =
          new ProducerRecord<>(
              Topics.DEADLETTER, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
      dead.headers()
          .add(
              DeadLetters.REASON,
              InvalidEventException.Reason.UNAUTHORIZED.value().getBytes(StandardCharsets.UTF_8))
          .add(DeadLetters.ERROR, verdict.refusal().getBytes(StandardCharsets.UTF_8))
          .add(DeadLetters.TOPIC, topic.getBytes(StandardCharsets.UTF_8))
          .add(DeadLetters.GROUP, ("chaos " + hostname()).getBytes(StandardCharsets.UTF_8))
          .add(
              DeadLetters.TIME,
              java.time.Instant.now().toString().getBytes(StandardCharsets.UTF_8));
      context
          .publisher()
          .send(dead)
          .onFailure(e -> LOG.warn("a refused {} was not dead-lettered: {}", action.value(), e));
      ObjectNode details =
          EventCodec.MAPPER.createObjectNode().put("topic", topic).put("reason", verdict.refusal());
      Audit audit =
          new Audit(
              verdict.sender() == null ? "unknown" : verdict.sender().principal(),
              verdict.sender() == null ? "unknown" : verdict.sender().role(),
              "control." + action.value(),
              key,
              "denied",
              null,
              details);
      context
          .publisher()
          .publish(
              CloudEvent.of(audit).source("/chaos/" + hostname()).subject(audit.actor()).build())
          .onFailure(e -> LOG.warn("the audit of a refused {} was lost: {}", action.value(), e));
    };
  }

  private Future<?> serve(
      ServiceContext context, ChaosConfig config, ChaosState state, ControlSeal seal) {
    String source = "/chaos/" + hostname();
    ChaosInjector injector =
        new ChaosInjector(
            state,
            config,
            FaultCatalog.standard(context.brokerControl(), context.environment()),
            RunEvents.publishing(context.publisher()),
            source,
            Clock.systemUTC());
    recoverInBackground(context, injector);
    ExecutorService runs = runThreads();
    Map<String, ObjectNode> journals = new ConcurrentHashMap<>();
    Scheduler scheduler =
        new Scheduler(
            Clock.systemUTC(),
            schedule -> launch(context, injector, config, runs, journals, schedule),
            new java.util.Random());
    ScheduleTable schedules =
        new ScheduleTable(context.kafka(), state.control(), seal).follow(scheduler);
    injector.followControl(seal);
    ScheduleLeadership leadership =
        new ScheduleLeadership(
                context.kafka(),
                config.scheduleGroup(),
                config.leaderSessionTimeout(),
                schedules,
                scheduler)
            .start();
    scheduler.leadership(leadership::leader).firingLog(schedules.firingLog());
    tickEverySecond(context, runs, scheduler);
    ChaosApi api =
        new ChaosApi(
            context,
            injector,
            config,
            new HaltBroadcast(state.control(), context.publisher(), seal),
            source,
            runs,
            journals,
            journal -> keep(context, journals, journal));
    context.api().mount("/halt", api.haltRouter());
    api.answerLocalHalts();
    context.api().mount("/experiments", api.experimentsRouter());
    context
        .api()
        .mount(
            "/schedules",
            new ScheduleApi(
                    scheduler,
                    injector.loader(),
                    new ScheduleChanges(schedules, context.publisher(), seal, source),
                    Clock.systemUTC())
                .router(context.vertx()));

    context.health().service(ROLE, ServiceStatus.running("injector " + source));
    return context
        .vertx()
        .deployVerticle(
            new ChaosVerticle(
                injector,
                runs,
                () -> {
                  leadership.close();
                  schedules.close();
                }));
  }

  /** Reverts, off the event loop, what this injector's state and stopped injectors left behind. */
  private static void recoverInBackground(ServiceContext context, ChaosInjector injector) {
    context
        .vertx()
        .executeBlocking(
            () -> {
              List<String> lines = new ArrayList<>(injector.recover());
              io.valentia.chaos.safety.LeftoverSweep.standard()
                  .sweep()
                  .forEach(line -> lines.add("reverted a leftover of a stopped injector: " + line));
              return lines;
            })
        .onSuccess(lines -> lines.forEach(line -> context.console().println("chaos: " + line)))
        .onFailure(
            e ->
                context
                    .console()
                    .println(
                        "chaos: could not look for faults left by stopped injectors: "
                            + e.getMessage()));
  }

  /** The threads runs (and scheduler ticks) run on; daemons, so they never hold the process. */
  private static ExecutorService runThreads() {
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, "valentia-chaos-run");
          t.setDaemon(true);
          return t;
        });
  }

  /** Asks the scheduler every second whether a schedule is due, until the service stops. */
  private static void tickEverySecond(
      ServiceContext context, ExecutorService runs, Scheduler scheduler) {
    context
        .vertx()
        .setPeriodic(
            1000,
            id -> {
              if (runs.isShutdown()) {
                context.vertx().cancelTimer(id); // the service stopped
              } else {
                runs.submit(scheduler::tick);
              }
            });
  }

  private static Scheduler.RunHandle launch(
      ServiceContext context,
      ChaosInjector injector,
      ChaosConfig config,
      ExecutorService runs,
      Map<String, ObjectNode> journals,
      Schedule schedule) {
    ExperimentLoader.Loaded loaded = injector.loader().check(schedule.experiment());
    Experiment experiment =
        injector.loader().resolve(loaded, context.environment(), "schedule " + schedule.id());
    if (injector.faults().refusal() != null) {
      throw new FaultException.Refused("no new runs: " + injector.faults().refusal());
    }
    String runId = EventIds.next();
    java.util.concurrent.Future<?> future =
        runs.submit(
            () -> {
              Journal journal =
                  injector
                      .runner()
                      .run(
                          experiment,
                          new ExperimentRunner.RunOptions(
                              runId,
                              config.steadyStateInterval(),
                              "schedule " + schedule.id(),
                              "scheduler"));
              keep(context, journals, journal);
            });
    return new Scheduler.RunHandle() {
      @Override
      public String runId() {
        return runId;
      }

      @Override
      public boolean running() {
        return !future.isDone();
      }

      @Override
      public void stop(String reason) {
        injector.runner().stop(runId, "aborted", reason, "scheduler");
      }
    };
  }

  /** Keeps the journal of a run that ended: for {@code GET /experiments/runs/ID} and on disk. */
  private static void keep(
      ServiceContext context, Map<String, ObjectNode> journals, Journal journal) {
    journals.put(journal.runId(), journal.toJson());
    try {
      var dir = context.dataDir().resolve("journals");
      JournalFiles.write(dir.resolve(journal.runId() + ".json"), journal.toJson().toPrettyString());
    } catch (IOException e) {
      context
          .console()
          .println("chaos: cannot keep journal " + journal.runId() + ": " + e.getMessage());
    }
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
