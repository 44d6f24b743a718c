package io.valentia.chaos;

import static io.valentia.eventbus.service.JsonReplies.body;
import static io.valentia.eventbus.service.JsonReplies.error;
import static io.valentia.eventbus.service.JsonReplies.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.InvalidExperimentException;
import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.safety.ControlSeal;
import io.valentia.chaos.safety.HaltBroadcast;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventIds;
import io.valentia.eventbus.payload.Audit;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.LocalRequests;
import io.valentia.eventbus.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The chaos API of one injector, beside the {@link io.valentia.chaos.schedule.ScheduleApi}; under
 * {@code /api/v1} (reading needs the viewer role and changes the operator role, which the web
 * gateway checks):
 *
 * <ul>
 *   <li>{@code GET /halt}: the halt switch {@code {halted, refusing?, activeFaults, runs}};
 *   <li>{@code POST /halt} {@code {"release"?, "reason"?, "by"?}}: halts here at once (every fault
 *       reverted, every run stopped), then every other injector through {@code valentia.control};
 *       200 with the switch, {@code revertedFaults} and {@code command}; 502 when the halt was
 *       applied here but not sent. A body that cannot be read still halts (never releases);
 *   <li>{@code POST /experiments/validate}: 200 or 422 {@code {valid, problems}}; 422 with {@code
 *       refused} when the allow-list refuses it (audited as {@code denied});
 *   <li>{@code POST /experiments/runs}: starts a run; 202 {@code {runId, status: "running"}}; 422
 *       when invalid or refused, 409 when no new runs are taken;
 *   <li>{@code GET /experiments/runs/ID}: the run's journal (a placeholder while it runs); 404 when
 *       this process has no such run;
 *   <li>the plan, list and abort routes of {@link ExperimentRunsApi}.
 * </ul>
 *
 * Other roles of this process (Slack's {@code /valentia halt}) halt through the same path with a
 * local request to {@link LocalRequests#HALT}.
 */
final class ChaosApi {
  private final ServiceContext context;
  private final ChaosInjector injector;
  private final ChaosConfig config;
  private final HaltBroadcast broadcast;
  private final String source;
  private final ExecutorService runs;
  private final Map<String, ObjectNode> journals;
  private final Consumer<Journal> keep;

  /**
   * @param source this injector's event source, {@code /chaos/HOST}
   * @param runs where runs run (never the event loop)
   * @param journals the runs of this process by id: a placeholder while running, then the journal
   * @param keep called with the journal of each run that ended, on the run's thread
   */
  ChaosApi(
      ServiceContext context,
      ChaosInjector injector,
      ChaosConfig config,
      HaltBroadcast broadcast,
      String source,
      ExecutorService runs,
      Map<String, ObjectNode> journals,
      Consumer<Journal> keep) {
    this.context = context;
    this.injector = injector;
    this.config = config;
    this.broadcast = broadcast;
    this.source = source;
    this.runs = runs;
    this.journals = journals;
    this.keep = keep;
  }

  /** The router to mount at {@code /halt}. */
  Router haltRouter() {
    Router halt = Router.router(context.vertx());
    halt.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    halt.get("/").handler(rc -> json(rc, 200, haltState()));
    halt.post("/").handler(this::halt);
    return halt;
  }

  /** Answers the halt requests of other roles of this process (the event bus, local only). */
  void answerLocalHalts() {
    context
        .vertx()
        .eventBus()
        .<JsonObject>localConsumer(
            LocalRequests.HALT,
            message -> {
              String by = message.body().getString("by", "unknown");
              String role = message.body().getString("role", ControlSeal.PLATFORM);
              haltAll(false, new ControlSeal.Sender(by, role), message.body().getString("reason"))
                  .onSuccess(answer -> message.reply(new JsonObject(answer.toString())))
                  .onFailure(e -> message.fail(502, e.getMessage()));
            });
  }

  /** The router to mount at {@code /experiments}. */
  Router experimentsRouter() {
    Router experiments = Router.router(context.vertx());
    experiments.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    experiments.post("/validate").handler(this::validate);
    experiments.post("/runs").handler(this::startRun);
    experiments.get("/runs/:id").handler(this::journal);
    new ExperimentRunsApi(injector, journals, context.environment()).addTo(experiments);
    return experiments;
  }

  /** {@code POST /halt}: halts (or releases) here and everywhere. */
  private void halt(RoutingContext rc) {
    // fail safe: a body that cannot be read still halts (never releases), with no reason
    String unreadable = unreadableBody(rc);
    JsonNode body = unreadable == null ? body(rc) : EventCodec.MAPPER.createObjectNode();
    boolean release = body.path("release").asBoolean(false);
    // who asked is who the request authenticated as; "by" only where no one did
    Object principal = rc.get(ApiRoutes.PRINCIPAL_NAME);
    String by = principal != null ? principal.toString() : body.path("by").asText("api");
    ControlSeal.Sender sender =
        principal != null ? ControlSeal.Sender.of(rc) : ControlSeal.Sender.platform(by);
    String reason =
        body.path("reason").isTextual()
            ? body.path("reason").asText()
            : release ? "released by " + by : null;
    haltAll(release, sender, reason)
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
  }

  /** {@code POST /experiments/validate}: checks an experiment without running it. */
  private void validate(RoutingContext rc) {
    ExperimentLoader.Loaded loaded = injector.loader().parse(rc.body().asString(), isYaml(rc));
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
    List<ExperimentProblem> refused = refusals(experiment);
    if (!refused.isEmpty()) {
      auditRefused(rc, "experiment.validate", experiment, refused);
      json(rc, 422, refusedAnswer(experiment, refused));
      return;
    }
    json(rc, 200, problems(loaded));
  }

  /** {@code POST /experiments/runs}: starts a run of the experiment in the body. */
  private void startRun(RoutingContext rc) {
    ExperimentLoader.Loaded loaded = injector.loader().parse(rc.body().asString(), isYaml(rc));
    Experiment experiment;
    try {
      experiment = injector.loader().resolve(loaded, context.environment(), "request");
    } catch (InvalidExperimentException e) {
      json(
          rc,
          422,
          problems(
              loaded.valid() ? new ExperimentLoader.Loaded(null, e.problems(), null) : loaded));
      return;
    }
    List<ExperimentProblem> refused = refusals(experiment);
    if (!refused.isEmpty()) {
      auditRefused(rc, "experiment.run", experiment, refused);
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
            keep.accept(journal);
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
        rc, 202, EventCodec.MAPPER.createObjectNode().put("runId", runId).put("status", "running"));
  }

  /** {@code GET /experiments/runs/ID}: the journal of a run of this process. */
  private void journal(RoutingContext rc) {
    ObjectNode journal = journals.get(rc.pathParam("id"));
    if (journal == null) {
      json(rc, 404, error("no run " + rc.pathParam("id") + " in this process"));
    } else {
      json(rc, 200, journal);
    }
  }

  /**
   * Halts (or releases) here at once, then every other injector through the control topic; the
   * answer is the halt switch with {@code revertedFaults} and {@code command}.
   */
  private Future<ObjectNode> haltAll(boolean release, ControlSeal.Sender sender, String reason) {
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
              ObjectNode answer = haltState();
              answer.put("revertedFaults", reverted).put("command", command.id());
              return answer;
            });
  }

  private ObjectNode haltState() {
    ObjectNode state = EventCodec.MAPPER.createObjectNode().put("halted", injector.halt().halted());
    if (injector.faults().refusal() != null) {
      state.put("refusing", injector.faults().refusal());
    }
    state.put("activeFaults", injector.faults().active().size());
    injector.runner().runningIds().forEach(id -> state.withArray("runs").add(id));
    return state;
  }

  /** What the allow-list of the process and http providers refuses in {@code experiment}. */
  private List<ExperimentProblem> refusals(Experiment experiment) {
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
  private void auditRefused(
      RoutingContext rc, String action, Experiment experiment, List<ExperimentProblem> refused) {
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
        .publish(CloudEvent.of(audit).source(source).subject(audit.actor()).build())
        .onFailure(
            e ->
                context
                    .console()
                    .println("chaos: the audit of a refused " + action + " was lost: " + e));
  }

  private static String principalName(RoutingContext rc) {
    Object name = rc.get(ApiRoutes.PRINCIPAL_NAME);
    return name == null ? "anonymous" : name.toString();
  }

  private static String principalRole(RoutingContext rc) {
    Object role = rc.get(ApiRoutes.PRINCIPAL_ROLE);
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
    for (ExperimentProblem p : loaded.problems()) {
      ObjectNode o =
          json.withArray("problems").addObject().put("path", p.path()).put("message", p.message());
      if (p.location() != null) {
        o.put("location", p.location());
      }
    }
    return json;
  }
}
