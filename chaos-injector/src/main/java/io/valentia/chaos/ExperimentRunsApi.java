package io.valentia.chaos;

import static io.valentia.eventbus.service.JsonReplies.body;
import static io.valentia.eventbus.service.JsonReplies.error;
import static io.valentia.eventbus.service.JsonReplies.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.experiment.InvalidExperimentException;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.service.ApiRoutes;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The routes of {@code /experiments} that the experiments page needs beside {@code validate} and
 * {@code runs}:
 *
 * <ul>
 *   <li>{@code POST /plan}: a dry run of the experiment in the body (JSON, or YAML with a {@code
 *       Content-Type} naming yaml): 200 {@code {valid: true, title, document, steps, refused,
 *       timeline}} where {@code refused} lists what the allow-list refuses (empty when nothing) and
 *       {@code document} is the experiment as JSON; 422 {@code {valid: false, problems}} like
 *       {@code validate}. Nothing runs.
 *   <li>{@code GET /runs}: the runs this process knows, newest first, each {@code {runId, status,
 *       title, start, end, deviated, reason}} ({@code title} and the times once known).
 *   <li>{@code POST /runs/ID/abort} {@code {"reason"?}}: stops a run in progress (what is left of
 *       its method is skipped, its faults are reverted and its rollbacks run); 202 {@code {runId,
 *       status: "aborting"}}; 409 when the run has ended; 404 when this process has no such run.
 * </ul>
 */
final class ExperimentRunsApi {
  private final ChaosInjector injector;
  private final Map<String, ObjectNode> journals;
  private final Map<String, String> environment;

  /**
   * @param journals the runs of this process by id: a placeholder while running, then the journal
   */
  ExperimentRunsApi(
      ChaosInjector injector, Map<String, ObjectNode> journals, Map<String, String> environment) {
    this.injector = injector;
    this.journals = journals;
    this.environment = environment;
  }

  /** Adds the routes to {@code experiments} (which has a body handler). */
  void addTo(Router experiments) {
    experiments.post("/plan").handler(this::plan);
    experiments.get("/runs").handler(this::list);
    experiments.post("/runs/:id/abort").handler(this::abort);
  }

  private void plan(RoutingContext rc) {
    String type = rc.request().getHeader("Content-Type");
    ExperimentLoader.Loaded loaded =
        injector.loader().parse(rc.body().asString(), type != null && type.contains("yaml"));
    Experiment experiment;
    try {
      experiment = injector.loader().resolve(loaded, environment, "request");
    } catch (InvalidExperimentException e) {
      ObjectNode answer = EventCodec.MAPPER.createObjectNode().put("valid", false);
      List<ExperimentProblem> problems = loaded.valid() ? e.problems() : loaded.problems();
      for (ExperimentProblem p : problems) {
        ObjectNode o =
            answer
                .withArray("problems")
                .addObject()
                .put("path", p.path())
                .put("message", p.message());
        if (p.location() != null) {
          o.put("location", p.location());
        }
      }
      json(rc, 422, answer);
      return;
    }
    json(rc, 200, plan(experiment, loaded.document()));
  }

  private ObjectNode plan(Experiment experiment, JsonNode document) {
    ObjectNode plan = EventCodec.MAPPER.createObjectNode().put("valid", true);
    plan.setAll(DryRunPlan.of(experiment, injector.faults().catalog(), injector.config()).json());
    plan.set("document", document);
    return plan;
  }

  private void list(RoutingContext rc) {
    List<ObjectNode> runs = new ArrayList<>();
    journals.forEach((id, journal) -> runs.add(summary(id, journal)));
    // runs a schedule started are in the journals once they end
    injector.runner().runningIds().stream()
        .filter(id -> !journals.containsKey(id))
        .forEach(
            id ->
                runs.add(
                    EventCodec.MAPPER
                        .createObjectNode()
                        .put("runId", id)
                        .put("status", "running")));
    runs.sort(
        Comparator.comparing((ObjectNode r) -> r.path("start").asText(""))
            .thenComparing(r -> r.path("runId").asText())
            .reversed());
    ArrayNode answer = EventCodec.MAPPER.createArrayNode();
    runs.forEach(answer::add);
    json(rc, 200, answer);
  }

  private static ObjectNode summary(String id, ObjectNode journal) {
    ObjectNode r =
        EventCodec.MAPPER
            .createObjectNode()
            .put("runId", id)
            .put("status", journal.path("status").asText("running"));
    String title =
        journal.path("experiment").path("title").asText(journal.path("title").asText(null));
    r.put("title", title);
    for (String key : List.of("start", "end", "reason")) {
      if (journal.path(key).isTextual()) {
        r.put(key, journal.path(key).asText());
      }
    }
    if (journal.has("deviated")) {
      r.put("deviated", journal.path("deviated").asBoolean());
    }
    return r;
  }

  private void abort(RoutingContext rc) {
    String id = rc.pathParam("id");
    JsonNode body = body(rc);
    Object principal = rc.get(ApiRoutes.PRINCIPAL_NAME);
    String by = principal != null ? principal.toString() : "api";
    String reason =
        body.path("reason").isTextual() && !body.path("reason").asText().isBlank()
            ? body.path("reason").asText()
            : "aborted by " + by;
    if (!injector.runner().stop(id, "aborted", reason, by)) {
      ObjectNode journal = journals.get(id);
      if (journal == null) {
        json(rc, 404, error("no run " + id + " in this process"));
        return;
      }
      json(
          rc,
          409,
          error("run " + id + " is not in progress (" + journal.path("status").asText() + ")"));
      return;
    }
    json(
        rc,
        202,
        EventCodec.MAPPER
            .createObjectNode()
            .put("runId", id)
            .put("status", "aborting")
            .put("reason", reason)
            .put("by", by));
  }
}
