package io.valentia.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.InvalidExperimentException;
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
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
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
 * /experiments/runs}, {@code GET /experiments/runs/ID}, {@code GET|POST /schedules}, {@code
 * GET|DELETE /schedules/ID} (see {@link ScheduleApi}); the plan, list and abort routes of {@link
 * ExperimentRunsApi}. Journals are kept in {@code DATA/chaos/journals}.
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
    ExecutorService runs =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "valentia-chaos-run");
              t.setDaemon(true);
              return t;
            });
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
    HaltBroadcast broadcast = new HaltBroadcast(state.control(), context.publisher(), seal);
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
    Router halt = Router.router(context.vertx());
    halt.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    halt.get("/").handler(rc -> json(rc, 200, haltState(injector)));
    halt.post("/")
        .handler(
            rc -> {
              // fail safe: a body that cannot be read still halts (never releases), with no reason
              String unreadable = unreadableBody(rc);
              JsonNode body = unreadable == null ? body(rc) : EventCodec.MAPPER.createObjectNode();
              boolean release = body.path("release").asBoolean(false);
              // who asked is who the request authenticated as; "by" only where no one did
              Object principal = rc.get(io.valentia.eventbus.service.ApiRoutes.PRINCIPAL_NAME);
              String by = principal != null ? principal.toString() : body.path("by").asText("api");
              ControlSeal.Sender sender =
                  principal != null ? ControlSeal.Sender.of(rc) : ControlSeal.Sender.platform(by);
              String reason =
                  body.path("reason").isTextual()
                      ? body.path("reason").asText()
                      : release ? "released by " + by : null;
              haltAll(context, injector, broadcast, source, release, sender, reason)
                  .onSuccess(
                      answer -> {
                        if (unreadable != null) {
                          answer.put(
                              "warning",
                              "the body was not read ("
                                  + unreadable
                                  + "): halted anyway, with no reason; a release needs a JSON"
                                  + " body {\"release\": true}");
                        }
                        json(rc, 200, answer);
                      })
                  .onFailure(
                      e ->
                          json(
                              rc,
                              502,
                              error(
                                  "the halt was applied here but not sent to other injectors: "
                                      + e.getMessage())));
            });
    context.api().mount("/halt", halt);
    // other roles of this process (Slack's /valentia halt) halt through the same path
    context
        .vertx()
        .eventBus()
        .<io.vertx.core.json.JsonObject>localConsumer(
            io.valentia.eventbus.service.LocalRequests.HALT,
            message -> {
              String by = message.body().getString("by", "unknown");
              String role = message.body().getString("role", ControlSeal.PLATFORM);
              haltAll(
                      context,
                      injector,
                      broadcast,
                      source,
                      false,
                      new ControlSeal.Sender(by, role),
                      message.body().getString("reason"))
                  .onSuccess(
                      answer -> message.reply(new io.vertx.core.json.JsonObject(answer.toString())))
                  .onFailure(e -> message.fail(502, e.getMessage()));
            });

    Router experiments = Router.router(context.vertx());
    experiments.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    experiments
        .post("/validate")
        .handler(
            rc -> {
              ExperimentLoader.Loaded loaded =
                  injector.loader().parse(rc.body().asString(), isYaml(rc));
              if (!loaded.valid()) {
                json(rc, 422, problems(loaded));
                return;
              }
              Experiment experiment;
              try {
                experiment = injector.loader().resolve(loaded, context.environment(), "request");
              } catch (InvalidExperimentException e) {
                experiment = loaded.experiment(); // placeholders are checked when it runs
              }
              List<ExperimentProblem> refused = refusals(injector, experiment);
              if (!refused.isEmpty()) {
                auditRefused(context, rc, "experiment.validate", experiment, refused);
                json(rc, 422, refusedAnswer(experiment, refused));
                return;
              }
              json(rc, 200, problems(loaded));
            });
    experiments
        .post("/runs")
        .handler(
            rc -> {
              ExperimentLoader.Loaded loaded =
                  injector.loader().parse(rc.body().asString(), isYaml(rc));
              Experiment experiment;
              try {
                experiment = injector.loader().resolve(loaded, context.environment(), "request");
              } catch (InvalidExperimentException e) {
                json(
                    rc,
                    422,
                    problems(
                        loaded.valid()
                            ? new ExperimentLoader.Loaded(null, e.problems(), null)
                            : loaded));
                return;
              }
              List<ExperimentProblem> refused = refusals(injector, experiment);
              if (!refused.isEmpty()) {
                auditRefused(context, rc, "experiment.run", experiment, refused);
                json(rc, 422, refusedAnswer(experiment, refused));
                return;
              }
              if (injector.faults().refusal() != null) {
                json(rc, 409, error("no new runs: " + injector.faults().refusal()));
                return;
              }
              String by = principalName(rc);
              String role = principalRole(rc);
              String runId = EventIds.next();
              journals.put(
                  runId,
                  EventCodec.MAPPER
                      .createObjectNode()
                      .put("run_id", runId)
                      .put("status", "running")
                      .put("title", experiment.title())
                      .put("start", java.time.Instant.now().toString()));
              runs.submit(
                  () -> {
                    try {
                      Journal journal =
                          injector
                              .runner()
                              .run(
                                  experiment,
                                  new ExperimentRunner.RunOptions(
                                      runId, config.steadyStateInterval(), by, role));
                      journals.put(runId, journal.toJson());
                      save(context, journal);
                    } catch (FaultException.Refused e) {
                      journals.put(
                          runId,
                          EventCodec.MAPPER
                              .createObjectNode()
                              .put("run_id", runId)
                              .put("status", "failed")
                              .put("reason", e.getMessage()));
                    }
                  });
              json(
                  rc,
                  202,
                  EventCodec.MAPPER
                      .createObjectNode()
                      .put("runId", runId)
                      .put("status", "running"));
            });
    experiments
        .get("/runs/:id")
        .handler(
            rc -> {
              ObjectNode journal = journals.get(rc.pathParam("id"));
              if (journal == null) {
                json(rc, 404, error("no run " + rc.pathParam("id") + " in this process"));
              } else {
                json(rc, 200, journal);
              }
            });
    new ExperimentRunsApi(injector, journals, context.environment()).addTo(experiments);
    context.api().mount("/experiments", experiments);

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
              journals.put(runId, journal.toJson());
              save(context, journal);
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

  /**
   * Halts (or releases) here at once, then every other injector through the control topic; the
   * answer is the halt switch with {@code revertedFaults} and {@code command}.
   */
  private static io.vertx.core.Future<ObjectNode> haltAll(
      ServiceContext context,
      ChaosInjector injector,
      HaltBroadcast broadcast,
      String source,
      boolean release,
      ControlSeal.Sender sender,
      String reason) {
    String by = sender.principal();
    ChaosHalt order = new ChaosHalt(by, reason, release, 0);
    CloudEvent command = CloudEvent.of(order).source(source).subject("halt").build();
    return context
        .vertx()
        .executeBlocking(
            () ->
                release
                    ? (injector.halt().release(command.id(), by, reason) ? 0 : 0)
                    : Math.max(0, injector.halt().halt(command.id(), by, reason)))
        .compose(reverted -> broadcast.send(command, order, sender).map(position -> reverted))
        .map(
            reverted -> {
              ObjectNode answer = haltState(injector);
              answer.put("revertedFaults", reverted).put("command", command.id());
              return answer;
            });
  }

  private static ObjectNode haltState(ChaosInjector injector) {
    ObjectNode state = EventCodec.MAPPER.createObjectNode().put("halted", injector.halt().halted());
    if (injector.faults().refusal() != null) {
      state.put("refusing", injector.faults().refusal());
    }
    state.put("activeFaults", injector.faults().active().size());
    injector.runner().runningIds().forEach(id -> state.withArray("runs").add(id));
    return state;
  }

  private static void save(ServiceContext context, Journal journal) {
    try {
      var dir = context.dataDir().resolve("journals");
      JournalFiles.write(dir.resolve(journal.runId() + ".json"), journal.toJson().toPrettyString());
    } catch (IOException e) {
      context
          .console()
          .println("chaos: cannot keep journal " + journal.runId() + ": " + e.getMessage());
    }
  }

  /** What the allow-list of the process and http providers refuses in {@code experiment}. */
  private static List<ExperimentProblem> refusals(ChaosInjector injector, Experiment experiment) {
    return injector.config().policy().providers().allowList().refusals(experiment);
  }

  /** The answer to a refused experiment; its secrets hidden (a refused URL may hold one). */
  private static ObjectNode refusedAnswer(Experiment experiment, List<ExperimentProblem> refused) {
    ObjectNode json = EventCodec.MAPPER.createObjectNode().put("valid", false);
    for (ExperimentProblem p : refused) {
      String message = experiment.redaction().apply(p.message());
      json.withArray("problems").addObject().put("path", p.path()).put("message", message);
      json.withArray("refused").add(message);
    }
    return json;
  }

  /** Audits a request the allow-list refused: outcome {@code denied}, by the caller. */
  private static void auditRefused(
      ServiceContext context,
      RoutingContext rc,
      String action,
      Experiment experiment,
      List<ExperimentProblem> refused) {
    ObjectNode details = EventCodec.MAPPER.createObjectNode().put("experiment", experiment.title());
    refused.forEach(p -> details.withArray("refused").add(p.path() + ": " + p.message()));
    Audit audit =
        new Audit(
            principalName(rc),
            principalRole(rc),
            action,
            experiment.title(),
            "denied",
            rc.request().remoteAddress() == null
                ? null
                : rc.request().remoteAddress().hostAddress(),
            experiment.redaction().apply(details));
    context
        .publisher()
        .publish(CloudEvent.of(audit).source("/chaos/" + hostname()).subject(audit.actor()).build())
        .onFailure(
            e ->
                context
                    .console()
                    .println("chaos: the audit of a refused " + action + " was lost: " + e));
  }

  private static String principalName(RoutingContext rc) {
    Object name = rc.get(io.valentia.eventbus.service.ApiRoutes.PRINCIPAL_NAME);
    return name == null ? "anonymous" : name.toString();
  }

  private static String principalRole(RoutingContext rc) {
    Object role = rc.get(io.valentia.eventbus.service.ApiRoutes.PRINCIPAL_ROLE);
    return role == null ? "unknown" : role.toString();
  }

  /** Why the body cannot be read as a JSON object; null when it can (or is empty). */
  private static String unreadableBody(RoutingContext rc) {
    String text = rc.body() == null ? null : rc.body().asString();
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      JsonNode node = EventCodec.MAPPER.readTree(text);
      return node != null && node.isObject() ? null : "not a JSON object";
    } catch (IOException e) {
      return "not JSON";
    }
  }

  private static boolean isYaml(RoutingContext rc) {
    String type = rc.request().getHeader("Content-Type");
    return type != null && type.contains("yaml");
  }

  private static ObjectNode problems(ExperimentLoader.Loaded loaded) {
    ObjectNode json = EventCodec.MAPPER.createObjectNode().put("valid", loaded.valid());
    loaded
        .problems()
        .forEach(
            p -> {
              ObjectNode o =
                  json.withArray("problems")
                      .addObject()
                      .put("path", p.path())
                      .put("message", p.message());
              if (p.location() != null) {
                o.put("location", p.location());
              }
            });
    return json;
  }

  private static JsonNode body(RoutingContext rc) {
    try {
      String text = rc.body() == null ? null : rc.body().asString();
      return text == null || text.isBlank()
          ? EventCodec.MAPPER.createObjectNode()
          : EventCodec.MAPPER.readTree(text);
    } catch (IOException e) {
      return EventCodec.MAPPER.createObjectNode();
    }
  }

  private static ObjectNode error(String message) {
    return EventCodec.MAPPER.createObjectNode().put("error", message);
  }

  private static void json(RoutingContext rc, int status, JsonNode body) {
    rc.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
