package io.valentia.postmortem.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One page of search results.
 *
 * @param total how many documents match in all
 * @param hits this page's hits, in the requested order
 * @param facets counts of the top values of each requested dimension over every match
 * @param nextCursor pass it as {@code cursor} for the next page; null on the last page
 */
public record SearchPage(
    long total, List<Hit> hits, Map<String, List<FacetCount>> facets, String nextCursor) {

  /**
   * @param id the event (or postmortem) id
   * @param time the indexed time
   * @param snippet the best matching passage with matches in {@code <b>...</b>}; null when none
   * @param source the indexed JSON (the CloudEvent as read from Kafka)
   */
  public record Hit(String id, Instant time, String snippet, JsonNode source) {}

  public record FacetCount(String value, long count) {}
}
