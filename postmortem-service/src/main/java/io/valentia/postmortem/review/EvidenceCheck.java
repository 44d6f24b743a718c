package io.valentia.postmortem.review;

import io.valentia.postmortem.documents.Postmortem;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchPage;
import io.valentia.postmortem.search.SearchRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Checks a postmortem's citations against the record: every event id a testimony or finding cites
 * must be in the events index, else the claim cannot be checked ({@code unknown-evidence}, in the
 * form of the {@link BlamelessReview}'s remarks). Blocking (one search of the index): call it from
 * a worker. Thread-safe as its index is.
 */
public final class EvidenceCheck {
  private final IndexSearch events;

  /**
   * @param events the events index the citations must be found in
   */
  public EvidenceCheck(IndexSearch events) {
    this.events = events;
  }

  /**
   * Testimonies and findings of {@code p} that cite event ids the events index does not hold, one
   * remark per citation, testimonies first, in the document's order; empty when nothing is cited.
   */
  public List<BlamelessReview.Problem> unknownEvidence(Postmortem p) {
    Set<String> cited = new LinkedHashSet<>();
    p.testimonies().forEach(t -> cited.addAll(t.evidence()));
    p.findings().forEach(f -> cited.addAll(f.evidence()));
    if (cited.isEmpty()) {
      return List.of();
    }
    Set<String> known = known(cited);
    List<BlamelessReview.Problem> problems = new ArrayList<>();
    for (int i = 0; i < p.testimonies().size(); i++) {
      for (String id : p.testimonies().get(i).evidence()) {
        if (!known.contains(id)) {
          problems.add(unknown("testimonies[" + i + "]", id));
        }
      }
    }
    for (int i = 0; i < p.findings().size(); i++) {
      for (String id : p.findings().get(i).evidence()) {
        if (!known.contains(id)) {
          problems.add(unknown("findings[" + i + "]", id));
        }
      }
    }
    return problems;
  }

  /** Those of {@code cited} that the events index holds. */
  private Set<String> known(Set<String> cited) {
    StringJoiner query = new StringJoiner(" OR ");
    cited.forEach(id -> query.add("id:\"" + id.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    SearchPage page =
        events.search(
            new SearchRequest(
                query.toString(),
                null,
                null,
                List.of(),
                Math.min(cited.size(), SearchRequest.MAX_SIZE),
                SearchRequest.Order.OLDEST,
                null));
    Set<String> known = new LinkedHashSet<>();
    page.hits().forEach(h -> known.add(h.id()));
    return known;
  }

  private static BlamelessReview.Problem unknown(String where, String id) {
    return new BlamelessReview.Problem(
        "unknown-evidence",
        where,
        id,
        "it cites an event the record does not hold, so the claim cannot be checked",
        "cite the id of an event found by search, or drop the citation");
  }
}
