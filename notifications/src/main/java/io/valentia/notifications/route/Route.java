package io.valentia.notifications.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A node of the routing tree, as Alertmanager's {@code dispatch.Route}: the matchers an alert has
 * to fulfil, the receiver it is sent to, how its alerts are grouped and timed, and its children.
 * Every option not set on a node is inherited from its parent; the root inherits Alertmanager's
 * defaults ({@code group_wait} 30s, {@code group_interval} 5m, {@code repeat_interval} 4h, no
 * grouping).
 *
 * <p>Immutable and thread-safe. Build a tree from its configuration with {@link #tree(Spec)}.
 */
public final class Route {
  public static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_GROUP_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);

  /**
   * A route as configured, before inheritance (Alertmanager's {@code config.Route}).
   *
   * @param receiver the receiver's name; null to inherit the parent's
   * @param matchers every matcher from {@code matchers}, {@code match} and {@code match_re}
   * @param groupBy {@code group_by} without {@code ...}; null to inherit the parent's grouping
   * @param groupByAll whether {@code group_by} is {@code ['...']}: group by every label
   * @param groupWait null to inherit
   * @param groupInterval null to inherit
   * @param repeatInterval null to inherit
   * @param continueMatching {@code continue}: after matching, go on with the next sibling
   * @param routes the children, in order
   */
  public record Spec(
      String receiver,
      List<Matcher> matchers,
      List<String> groupBy,
      boolean groupByAll,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval,
      boolean continueMatching,
      List<Spec> routes) {
    public Spec {
      matchers = List.copyOf(matchers);
      groupBy = groupBy == null ? null : List.copyOf(groupBy);
      routes = List.copyOf(routes);
    }
  }

  private final Route parent;
  private final List<Matcher> matchers;
  private final String receiver;
  private final Set<String> groupBy;
  private final boolean groupByAll;
  private final Duration groupWait;
  private final Duration groupInterval;
  private final Duration repeatInterval;
  private final boolean continueMatching;
  private final List<Route> routes;
  private final int index;

  private Route(Spec spec, Route parent, int[] counter) {
    this.parent = parent;
    List<Matcher> sorted = new ArrayList<>(spec.matchers());
    Collections.sort(sorted);
    this.matchers = List.copyOf(sorted);
    this.receiver =
        spec.receiver() != null && !spec.receiver().isEmpty()
            ? spec.receiver()
            : parent == null ? "" : parent.receiver;
    if (spec.groupBy() != null) {
      this.groupBy = Collections.unmodifiableSet(new LinkedHashSet<>(spec.groupBy()));
      this.groupByAll = false;
    } else if (spec.groupByAll()) {
      this.groupBy = Set.of();
      this.groupByAll = true;
    } else {
      this.groupBy = parent == null ? Set.of() : parent.groupBy;
      this.groupByAll = parent != null && parent.groupByAll;
    }
    this.groupWait =
        inherit(spec.groupWait(), parent == null ? null : parent.groupWait, DEFAULT_GROUP_WAIT);
    this.groupInterval =
        inherit(
            spec.groupInterval(),
            parent == null ? null : parent.groupInterval,
            DEFAULT_GROUP_INTERVAL);
    this.repeatInterval =
        inherit(
            spec.repeatInterval(),
            parent == null ? null : parent.repeatInterval,
            DEFAULT_REPEAT_INTERVAL);
    this.continueMatching = spec.continueMatching();
    List<Route> children = new ArrayList<>();
    for (Spec child : spec.routes()) {
      children.add(new Route(child, this, counter));
    }
    this.routes = List.copyOf(children);
    // As Alertmanager: children are numbered first, then their parent (the root is the last).
    this.index = counter[0]++;
  }

  private static Duration inherit(Duration own, Duration parents, Duration fallback) {
    return own != null ? own : parents != null ? parents : fallback;
  }

  /** The tree rooted at {@code root}, with every option inherited down. */
  public static Route tree(Spec root) {
    return new Route(Objects.requireNonNull(root, "root"), null, new int[] {0});
  }

  /**
   * The routes an alert with {@code labels} is sent to, as Alertmanager's {@code Route.Match}: a
   * depth-first, left-to-right walk. A node that does not match yields nothing; of its children,
   * each matching one adds its own matches and stops the walk among its siblings unless it has
   * {@code continue}; a matching node none of whose children matched is itself the match.
   *
   * @return the matching routes in walk order; empty when this node does not match
   */
  public List<Route> match(Map<String, String> labels) {
    if (!Matcher.all(matchers, labels)) {
      return List.of();
    }
    List<Route> all = new ArrayList<>();
    for (Route child : routes) {
      List<Route> matches = child.match(labels);
      all.addAll(matches);
      if (!matches.isEmpty() && !child.continueMatching) {
        break;
      }
    }
    if (all.isEmpty()) {
      all.add(this);
    }
    return all;
  }

  /**
   * Alertmanager's route key: the parent's key, {@code /}, then this node's sorted matchers, e.g.
   * {@code {}/{severity="critical"}}. Not unique in general (see {@link #id()}).
   */
  public String key() {
    String own = Matcher.toString(matchers);
    return parent == null ? own : parent.key() + "/" + own;
  }

  /** Alertmanager's route id: like {@link #key()} with each node's position among its siblings. */
  public String id() {
    if (parent == null) {
      return Matcher.toString(matchers);
    }
    return parent.id() + "/" + Matcher.toString(matchers) + "/" + parent.routes.indexOf(this);
  }

  /**
   * The labels of {@code labels} this route groups by: those named in {@code group_by} that the
   * alert has, or all of them for {@code group_by: ['...']}.
   */
  public Map<String, String> groupLabels(Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (groupByAll || groupBy.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Alertmanager's group key for {@code groupLabels}: {@code ROUTE_KEY:{label="value", ...}}. */
  public String groupKey(Map<String, String> groupLabels) {
    return key() + ":" + LabelSets.format(groupLabels);
  }

  /** Visits this node and then each subtree, depth first, in order. */
  public void walk(Consumer<Route> visit) {
    visit.accept(this);
    for (Route child : routes) {
      child.walk(visit);
    }
  }

  /** The parent; null for the root. */
  public Route parent() {
    return parent;
  }

  /** This node's own matchers, sorted (those of its ancestors apply too). */
  public List<Matcher> matchers() {
    return matchers;
  }

  /** The receiver's name, inherited when not set. */
  public String receiver() {
    return receiver;
  }

  /** The labels grouped by (empty with {@link #groupByAll()}). */
  public Set<String> groupBy() {
    return groupBy;
  }

  public boolean groupByAll() {
    return groupByAll;
  }

  public Duration groupWait() {
    return groupWait;
  }

  public Duration groupInterval() {
    return groupInterval;
  }

  public Duration repeatInterval() {
    return repeatInterval;
  }

  /** {@code continue}. */
  public boolean continueMatching() {
    return continueMatching;
  }

  /** The children, in order. */
  public List<Route> routes() {
    return routes;
  }

  /** Alertmanager's index: children numbered before their parent, the root last. */
  public int index() {
    return index;
  }

  @Override
  public String toString() {
    return "Route[" + key() + " -> " + receiver + "]";
  }
}
