package io.valentia.postmortem.store;

import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.search.IndexSearch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A new postmortem's first draft from its incident: the incident's title when the document has none
 * ({@code Postmortem of ID} when the incident is not known), and the timeline drafted from the
 * evidence ({@link TimelineDraft}, within the incident's subjects, experiments and window) when it
 * has none. The incident is asked for on the event loop; the index is searched on a worker.
 */
final class IncidentDraft {
  private final Vertx vertx;
  private final IndexSearch events;
  private final Function<String, Future<JsonObject>> incidents;

  /**
   * @param events the events index the timeline is drafted from
   * @param incidents the incident with an id as the incidents API shows it, or null
   */
  IncidentDraft(Vertx vertx, IndexSearch events, Function<String, Future<JsonObject>> incidents) {
    this.vertx = vertx;
    this.events = events;
    this.incidents = incidents;
  }

  /** {@code document} with its incident's title and drafted timeline; as is without an incident. */
  Future<Postmortem> draft(Postmortem document) {
    if (document.incidentId().isEmpty()) {
      return Future.succeededFuture(document);
    }
    return incidents
        .apply(document.incidentId())
        .compose(incident -> vertx.executeBlocking(() -> draft(document, incident)));
  }

  private Postmortem draft(Postmortem document, JsonObject incident) {
    Postmortem p = document;
    if (p.title().isEmpty()) {
      p =
          PostmortemSections.merge(
              p,
              EventCodec.MAPPER
                  .createObjectNode()
                  .put(
                      "title",
                      incident == null
                          ? "Postmortem of " + p.incidentId()
                          : incident.getString("title")));
    }
    if (!p.timeline().isEmpty()) {
      return p;
    }
    return PostmortemStore.withTimeline(
        p, TimelineDraft.draft(events, scope(p.incidentId(), incident)));
  }

  private static TimelineDraft.Scope scope(String incidentId, JsonObject incident) {
    if (incident == null) {
      return new TimelineDraft.Scope(incidentId, List.of(), List.of(), null, null);
    }
    return new TimelineDraft.Scope(
        incidentId,
        strings(incident.getJsonArray("subjects")),
        strings(incident.getJsonArray("experiments")),
        Instant.parse(incident.getString("opened")),
        Instant.parse(incident.getString("lastActivity")));
  }

  private static List<String> strings(JsonArray array) {
    List<String> list = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> list.add(String.valueOf(v)));
    }
    return list;
  }
}
