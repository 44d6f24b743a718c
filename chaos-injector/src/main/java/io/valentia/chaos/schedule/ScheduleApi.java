package io.valentia.chaos.schedule;

import static io.valentia.eventbus.service.JsonReplies.error;
import static io.valentia.eventbus.service.JsonReplies.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The schedules API, mounted at {@code /schedules} under {@code /api/v1} (changes need the operator
 * role, which the web gateway checks):
 *
 * <ul>
 *   <li>{@code GET /} every schedule with its next run and history;
 *   <li>{@code GET /ID} one schedule (404 when there is none);
 *   <li>{@code POST /} {@code {"id"?, "schedule": "0 3 * * *" | "every 30m", "experiment": {...},
 *       "options"?: {"zone", "jitter", "blackouts", "concurrency", "missed", "historyLimit"}}}:
 *       adds or replaces a schedule; 201 with its id and next run; 400 listing every problem
 *       (nothing is scheduled then);
 *   <li>{@code POST /ID/pause}, {@code POST /ID/resume}: stops firing it until resumed (runs in
 *       progress go on), or fires it again from now; 200 {@code {id, paused, nextRun}}; 404 when
 *       there is none;
 *   <li>{@code DELETE /ID} removes it (runs in progress go on); 404 when there is none.
 * </ul>
 *
 * A change goes to {@code valentia.state.schedules} (so every injector and every restart sees it),
 * then as a command to {@code valentia.control} (the audit) and an announcement to {@code
 * valentia.events} (the timeline); see {@link ScheduleChanges}. This process's scheduler has it
 * when the answer is sent.
 */
public final class ScheduleApi {
  private static final Set<String> KEYS = Set.of("id", "schedule", "experiment", "options");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

  private final Scheduler scheduler;
  private final ExperimentLoader loader;
  private final ScheduleChanges changes;
  private final Clock clock;

  /**
   * @param scheduler the scheduler that follows the table {@code changes} writes to
   */
  public ScheduleApi(
      Scheduler scheduler, ExperimentLoader loader, ScheduleChanges changes, Clock clock) {
    this.scheduler = scheduler;
    this.loader = loader;
    this.changes = changes;
    this.clock = clock;
  }

  /**
   * The router to mount at {@code /schedules}. The scheduler is asked off the event loop (a firing
   * holds it while Kafka stores the firing).
   */
  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router
        .get("/")
        .handler(
            rc ->
                vertx
                    .executeBlocking(scheduler::states)
                    .onSuccess(states -> json(rc, 200, list(states)))
                    .onFailure(rc::fail));
    router
        .get("/:id")
        .handler(
            rc ->
                vertx
                    .executeBlocking(scheduler::states)
                    .onSuccess(states -> getOne(rc, states))
                    .onFailure(rc::fail));
    router.post("/").handler(rc -> add(vertx, rc));
    for (boolean pause : new boolean[] {true, false}) {
      router
          .post(pause ? "/:id/pause" : "/:id/resume")
          .handler(
              rc ->
                  vertx
                      .executeBlocking(scheduler::states)
                      .onSuccess(states -> pause(rc, states, pause))
                      .onFailure(rc::fail));
    }
    router
        .delete("/:id")
        .handler(
            rc ->
                vertx
                    .executeBlocking(scheduler::states)
                    .onSuccess(states -> remove(vertx, rc, states))
                    .onFailure(rc::fail));
    return router;
  }

  private static ArrayNode list(List<Scheduler.State> states) {
    ArrayNode list = EventCodec.MAPPER.createArrayNode();
    states.forEach(s -> list.add(toJson(s)));
    return list;
  }

  private static void getOne(RoutingContext rc, List<Scheduler.State> states) {
    String id = rc.pathParam("id");
    states.stream()
        .filter(s -> s.schedule().id().equals(id))
        .findFirst()
        .ifPresentOrElse(
            s -> json(rc, 200, toJson(s)), () -> json(rc, 404, error("no schedule " + id)));
  }

  private void add(Vertx vertx, RoutingContext rc) {
    List<String> problems = new ArrayList<>();
    JsonNode body = body(rc, problems);
    Schedule schedule = read(body, problems);
    if (!problems.isEmpty()) {
      ObjectNode answer = error("the schedule has " + problems.size() + " problem(s)");
      problems.forEach(p -> answer.withArray("problems").add(p));
      json(rc, 400, answer);
      return;
    }
    ZonedDateTime next =
        schedule.trigger().next(ZonedDateTime.now(clock), schedule.options().zone());
    ExperimentScheduled record =
        ScheduleRecords.record(schedule, next == null ? null : next.toInstant());
    changes
        .apply(record, io.valentia.chaos.safety.ControlSeal.Sender.of(rc))
        .onSuccess(
            v -> {
              ObjectNode answer =
                  EventCodec.MAPPER
                      .createObjectNode()
                      .put("id", schedule.id())
                      .put("title", schedule.title())
                      .put("schedule", schedule.spec());
              answer.put("nextRun", next == null ? null : next.toInstant().toString());
              String path = rc.request().path();
              rc.response()
                  .putHeader("Location", path + (path.endsWith("/") ? "" : "/") + schedule.id());
              json(rc, 201, answer);
            })
        .onFailure(e -> json(rc, 503, error("Kafka did not take the schedule: " + e.getMessage())));
  }

  private void remove(Vertx vertx, RoutingContext rc, List<Scheduler.State> states) {
    String id = rc.pathParam("id");
    Scheduler.State state =
        states.stream().filter(s -> s.schedule().id().equals(id)).findFirst().orElse(null);
    if (state == null) {
      json(rc, 404, error("no schedule " + id));
      return;
    }
    Schedule s = state.schedule();
    changes
        .apply(
            new ExperimentScheduled(s.title(), id, s.spec(), null, null, null, true),
            io.valentia.chaos.safety.ControlSeal.Sender.of(rc))
        .onSuccess(
            v -> {
              json(
                  rc, 200, EventCodec.MAPPER.createObjectNode().put("id", id).put("removed", true));
            })
        .onFailure(e -> json(rc, 503, error("Kafka did not take the removal: " + e.getMessage())));
  }

  /** Stores {@code id}'s schedule paused (no firing until resumed) or resumed. */
  private void pause(RoutingContext rc, List<Scheduler.State> states, boolean pause) {
    String id = rc.pathParam("id");
    Scheduler.State state =
        states.stream().filter(s -> s.schedule().id().equals(id)).findFirst().orElse(null);
    if (state == null) {
      json(rc, 404, error("no schedule " + id));
      return;
    }
    Schedule old = state.schedule();
    Schedule schedule =
        new Schedule(
            old.id(),
            old.title(),
            old.spec(),
            old.trigger(),
            old.experiment(),
            old.options().withPaused(pause));
    ZonedDateTime next =
        pause ? null : schedule.trigger().next(ZonedDateTime.now(clock), schedule.options().zone());
    changes
        .apply(
            ScheduleRecords.record(schedule, next == null ? null : next.toInstant()),
            io.valentia.chaos.safety.ControlSeal.Sender.of(rc))
        .onSuccess(
            v -> {
              ObjectNode answer =
                  EventCodec.MAPPER.createObjectNode().put("id", id).put("paused", pause);
              answer.put("nextRun", next == null ? null : next.toInstant().toString());
              json(rc, 200, answer);
            })
        .onFailure(e -> json(rc, 503, error("Kafka did not take the change: " + e.getMessage())));
  }

  /**
   * Reads a schedule from a request body, recording every problem.
   *
   * @return the schedule; null when there are problems
   */
  Schedule read(JsonNode body, List<String> problems) {
    if (body == null) {
      return null;
    }
    body.fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                problems.add(k + ": unknown key (known: experiment, id, options, schedule)");
              }
            });
    String id = UUID.randomUUID().toString();
    if (body.has("id")) {
      if (!body.get("id").isTextual() || !ID.matcher(body.get("id").asText()).matches()) {
        problems.add(
            "id: must be 1-128 letters, digits, '_', '.', ':' or '-', found " + body.get("id"));
      } else {
        id = body.get("id").asText();
      }
    }
    Trigger trigger = null;
    JsonNode spec = body.path("schedule");
    if (!spec.isTextual() || spec.asText().isBlank()) {
      problems.add("schedule: required: a cron expression (e.g. \"0 3 * * *\") or \"every 30m\"");
    } else {
      try {
        trigger = Trigger.parse(spec.asText());
      } catch (IllegalArgumentException e) {
        problems.add("schedule: " + e.getMessage());
      }
    }
    List<String> optionProblems = new ArrayList<>();
    JsonNode optionsNode = body.path("options");
    ScheduleOptions options = ScheduleOptions.defaults();
    if (!optionsNode.isMissingNode() && !optionsNode.isNull() && !optionsNode.isObject()) {
      problems.add("options: must be an object");
    } else {
      options = ScheduleOptions.read(optionsNode, optionProblems);
      optionProblems.forEach(p -> problems.add("options." + p));
    }
    JsonNode document = body.path("experiment");
    String title = null;
    if (!document.isObject()) {
      problems.add("experiment: required: a Chaos Toolkit experiment (a JSON object)");
    } else {
      ExperimentLoader.Loaded loaded = loader.check(document);
      loaded
          .problems()
          .forEach(
              p ->
                  problems.add(
                      "experiment"
                          + (p.path() == null || p.path().isEmpty() ? "" : "." + p.path())
                          + ": "
                          + p.message()));
      if (loaded.valid()) {
        title = loaded.experiment().title();
      }
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new Schedule(id, title, spec.asText(), trigger, document, options);
  }

  private static ObjectNode toJson(Scheduler.State state) {
    ObjectNode o =
        EventCodec.MAPPER
            .createObjectNode()
            .put("id", state.schedule().id())
            .put("title", state.schedule().title())
            .put("schedule", state.schedule().spec());
    o.put("nextRun", state.nextRun() == null ? null : state.nextRun().toString());
    o.put("paused", state.schedule().options().paused());
    o.set("nextRuns", nextRuns(state));
    o.set("options", state.schedule().options().toJson());
    ArrayNode history = o.putArray("history");
    state
        .history()
        .forEach(
            f ->
                history
                    .addObject()
                    .put("at", f.at().toString())
                    .put("outcome", f.outcome())
                    .put("runId", f.runId()));
    return o;
  }

  /**
   * The next firings: the scheduled one (with its jitter), then up to four more as the trigger
   * gives them (before jitter), leaving out those a blackout skips.
   */
  private static ArrayNode nextRuns(Scheduler.State state) {
    ArrayNode runs = EventCodec.MAPPER.createArrayNode();
    if (state.nextRun() == null) {
      return runs;
    }
    runs.add(state.nextRun().toString());
    ScheduleOptions options = state.schedule().options();
    ZonedDateTime at = state.nextRun().atZone(options.zone());
    for (int i = 0; i < 50 && runs.size() < 5; i++) {
      at = state.schedule().trigger().next(at, options.zone());
      if (at == null) {
        break;
      }
      if (!options.blackedOut(at)) {
        runs.add(at.toInstant().toString());
      }
    }
    return runs;
  }

  private static JsonNode body(RoutingContext rc, List<String> problems) {
    String text = rc.body() == null ? null : rc.body().asString();
    if (text == null || text.isBlank()) {
      problems.add("the body must be a JSON object with schedule and experiment");
      return null;
    }
    try {
      JsonNode node = EventCodec.MAPPER.readTree(text);
      if (!node.isObject()) {
        problems.add("the body must be a JSON object with schedule and experiment");
        return null;
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      problems.add("the body is not JSON: " + e.getOriginalMessage());
      return null;
    }
  }
}
