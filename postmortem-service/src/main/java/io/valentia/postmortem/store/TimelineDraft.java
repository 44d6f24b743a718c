package io.valentia.postmortem.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.postmortem.documents.Postmortem.TimelineEntry;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchPage;
import io.valentia.postmortem.search.SearchRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.lucene.queryparser.classic.QueryParser;

/**
 * Drafts a postmortem's timeline from the evidence: the indexed events of the incident (its own
 * {@code incident.*} events and every event of its subjects and experiments) within the incident's
 * window widened by {@link #MARGIN}, oldest first, one entry per event citing it. Audit events are
 * left out. Blocking (searches the index): call it from a worker.
 */
public final class TimelineDraft {
  /** How far before the incident opened and after its last activity events are looked for. */
  public static final Duration MARGIN = Duration.ofMinutes(10);

  /** At most this many entries are drafted. */
  public static final int MAX_ENTRIES = 500;

  private TimelineDraft() {}

  /**
   * What the evidence shows about an incident.
   *
   * @param incidentId the incident
   * @param subjects the subjects of its events
   * @param experiments the experiments of its events
   * @param opened when it opened; null when not known (then no time bound)
   * @param lastActivity its latest event; null when not known
   */
  public record Scope(
      String incidentId,
      List<String> subjects,
      List<String> experiments,
      Instant opened,
      Instant lastActivity) {}

  /** The drafted timeline; empty when no event matches. */
  public static List<TimelineEntry> draft(IndexSearch events, Scope scope) {
    StringJoiner any = new StringJoiner(" OR ", "(", ")");
    any.add("incidentid:" + quote(scope.incidentId()));
    scope.subjects().forEach(s -> any.add("subject:" + quote(s)));
    scope.experiments().forEach(e -> any.add("experimentid:" + quote(e)));
    String query = any + " AND NOT type:" + quote("io.valentia.audit.v1");
    Instant from = scope.opened() == null ? null : scope.opened().minus(MARGIN);
    Instant to =
        scope.lastActivity() == null ? null : scope.lastActivity().plus(MARGIN).plusMillis(1);
    SearchPage page =
        events.search(
            new SearchRequest(
                query, from, to, List.of(), MAX_ENTRIES, SearchRequest.Order.OLDEST, null));
    List<TimelineEntry> entries = new ArrayList<>();
    for (SearchPage.Hit hit : page.hits()) {
      entries.add(
          new TimelineEntry(
              "",
              hit.time().toString(),
              describe(hit.source()),
              List.of(hit.id()),
              "evidence",
              List.of()));
    }
    return entries;
  }

  /** One line about an event for people: what it is, on what, and its telling values. */
  static String describe(JsonNode event) {
    String type = event.path("type").asText();
    String name = type.startsWith("io.valentia.") ? type.substring("io.valentia.".length()) : type;
    name = name.replaceFirst("\\.v\\d+$", "");
    JsonNode data = event.path("data");
    StringBuilder text = new StringBuilder(name);
    if (event.hasNonNull("subject")) {
      text.append(" on ").append(event.path("subject").asText());
    }
    String detail;
    if (data.hasNonNull("title")) {
      detail = data.path("title").asText();
    } else if (data.hasNonNull("check")) {
      detail = data.path("check").asText() + " " + data.path("status").asText("");
      if (!data.path("summary").asText("").isEmpty()) {
        detail += ": " + data.path("summary").asText();
      }
    } else if (data.hasNonNull("activity")) {
      detail =
          data.path("phase").asText("")
              + " "
              + data.path("activity").asText()
              + " "
              + data.path("status").asText("");
    } else {
      detail = scalars(data);
    }
    if (!detail.isBlank()) {
      text.append(": ").append(detail.strip());
    }
    if (data.hasNonNull("status") && data.hasNonNull("by") && !data.hasNonNull("check")) {
      text.append(" (").append(data.path("status").asText()).append(" by ");
      text.append(data.path("by").asText()).append(')');
    }
    return text.toString();
  }

  private static String scalars(JsonNode data) {
    StringJoiner values = new StringJoiner(", ");
    int n = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext() && n < 5; ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isValueNode() && !field.getValue().isNull()) {
        values.add(field.getKey() + "=" + field.getValue().asText());
        n++;
      }
    }
    return values.toString();
  }

  private static String quote(String value) {
    return "\"" + QueryParser.escape(value) + "\"";
  }
}
