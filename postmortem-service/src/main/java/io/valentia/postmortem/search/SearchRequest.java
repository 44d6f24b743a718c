package io.valentia.postmortem.search;

import java.time.Instant;
import java.util.List;

/**
 * One search.
 *
 * @param query Lucene query syntax over the default field {@code text} (every term must match
 *     unless {@code OR} says otherwise); null or blank matches everything
 * @param from inclusive lower bound of the event time; null for none
 * @param to exclusive upper bound of the event time; null for none
 * @param facets the facet dimensions to count; null for every dimension of the index
 * @param size hits per page, 1 to {@link #MAX_SIZE}
 * @param sort the order of hits
 * @param cursor the {@link SearchPage#nextCursor()} of the previous page; null for the first page
 */
public record SearchRequest(
    String query,
    Instant from,
    Instant to,
    List<String> facets,
    int size,
    Order sort,
    String cursor) {
  public static final int MAX_SIZE = 1000;
  public static final int DEFAULT_SIZE = 20;

  public SearchRequest {
    if (size < 1 || size > MAX_SIZE) {
      throw new BadQueryException("size must be 1 to " + MAX_SIZE + ", found " + size);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new BadQueryException("from must be before to");
    }
    sort = sort == null ? Order.NEWEST : sort;
    facets = facets == null ? null : List.copyOf(facets);
  }

  /** The first page of {@code query}, newest first, default size, every facet. */
  public static SearchRequest of(String query) {
    return new SearchRequest(query, null, null, null, DEFAULT_SIZE, Order.NEWEST, null);
  }

  /** This request for the page after {@code cursor}. */
  public SearchRequest after(String cursor) {
    return new SearchRequest(query, from, to, facets, size, sort, cursor);
  }

  /** The order of hits; ties are broken by id, so pages never overlap. */
  public enum Order {
    NEWEST,
    OLDEST,
    RELEVANCE;

    /** Parses {@code newest}, {@code oldest} or {@code relevance}. */
    public static Order parse(String value) {
      for (Order order : values()) {
        if (order.name().equalsIgnoreCase(value)) {
          return order;
        }
      }
      throw new BadQueryException("sort must be newest, oldest or relevance, found " + value);
    }
  }
}
