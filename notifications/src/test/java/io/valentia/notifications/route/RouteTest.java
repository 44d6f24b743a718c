package io.valentia.notifications.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.notifications.config.Yaml;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cases of Alertmanager's {@code dispatch/route_test.go}. */
class RouteTest {
  private static final String RECEIVERS =
      """
      receivers:
        - name: notify-def
        - name: notify-A
        - name: notify-testing
        - name: notify-productionA
        - name: notify-productionB
        - name: notify-BC
      """;

  /** TestRouteMatch's tree, with the legacy match/match_re maps. */
  private static final String MATCH_TREE =
      """
      route:
        receiver: 'notify-def'
        routes:
        - match:
            owner: 'team-A'
          receiver: 'notify-A'
          routes:
          - match:
              env: 'testing'
            receiver: 'notify-testing'
            group_by: [...]
          - match:
              env: "production"
            receiver: 'notify-productionA'
            group_wait: 1m
            continue: true
          - match_re:
              env: "produ.*"
              job: ".*"
            receiver: 'notify-productionB'
            group_wait: 30s
            group_interval: 5m
            repeat_interval: 1h
            group_by: ['job']
        - match_re:
            owner: 'team-(B|C)'
          group_by: ['foo', 'bar']
          group_wait: 2m
          receiver: 'notify-BC'
        - match:
            group_by: 'role'
          group_by: ['role']
          routes:
          - match:
              env: 'testing'
            receiver: 'notify-testing'
            routes:
            - match:
                wait: 'long'
              group_wait: 2m
      """
          + RECEIVERS;

  /** TestRouteMatchers's tree: the same with matcher strings. */
  private static final String MATCHERS_TREE =
      """
      route:
        receiver: 'notify-def'
        routes:
        - matchers: ['{owner="team-A"}', '{level!="critical"}']
          receiver: 'notify-A'
          routes:
          - matchers: ['{env="testing"}', '{baz!~".*quux"}']
            receiver: 'notify-testing'
            group_by: [...]
          - matchers: ['{env="production"}']
            receiver: 'notify-productionA'
            group_wait: 1m
            continue: true
          - matchers: [ env=~"produ.*", job=~".*"]
            receiver: 'notify-productionB'
            group_wait: 30s
            group_interval: 5m
            repeat_interval: 1h
            group_by: ['job']
        - matchers: [owner=~"team-(B|C)"]
          group_by: ['foo', 'bar']
          group_wait: 2m
          receiver: 'notify-BC'
        - matchers: [group_by="role"]
          group_by: ['role']
          routes:
          - matchers: ['{env="testing"}']
            receiver: 'notify-testing'
            routes:
            - matchers: [wait="long"]
              group_wait: 2m
      """
          + RECEIVERS;

  private record Expect(
      String receiver,
      List<String> groupBy,
      boolean all,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval) {}

  private static final Duration W = Duration.ofSeconds(30);
  private static final Duration I = Duration.ofMinutes(5);
  private static final Duration R = Duration.ofHours(4);

  private static Route tree(String yaml) {
    return Yaml.config(yaml).route();
  }

  private static void assertMatch(
      Route tree, Map<String, String> labels, List<Expect> expected, List<String> keys) {
    List<Route> matches = tree.match(labels);
    List<Expect> got = new ArrayList<>();
    for (Route r : matches) {
      got.add(
          new Expect(
              r.receiver(),
              r.groupBy().stream().sorted().toList(),
              r.groupByAll(),
              r.groupWait(),
              r.groupInterval(),
              r.repeatInterval()));
    }
    assertThat(got).as("routes of %s", labels).isEqualTo(expected);
    assertThat(matches).extracting(Route::key).as("keys of %s", labels).isEqualTo(keys);
  }

  @Test
  @DisplayName(
      "The walk with match maps finds Alertmanager's routes, options and keys (TestRouteMatch)")
  void routeMatch() {
    Route tree = tree(MATCH_TREE);
    assertMatch(
        tree,
        Map.of("owner", "team-A"),
        List.of(new Expect("notify-A", List.of(), false, W, I, R)),
        List.of("{}/{owner=\"team-A\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "env", "unset"),
        List.of(new Expect("notify-A", List.of(), false, W, I, R)),
        List.of("{}/{owner=\"team-A\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-C"),
        List.of(new Expect("notify-BC", List.of("bar", "foo"), false, Duration.ofMinutes(2), I, R)),
        List.of("{}/{owner=~\"^(?:team-(B|C))$\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "env", "testing"),
        List.of(new Expect("notify-testing", List.of(), true, W, I, R)),
        List.of("{}/{owner=\"team-A\"}/{env=\"testing\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "env", "production"),
        List.of(
            new Expect("notify-productionA", List.of(), false, Duration.ofMinutes(1), I, R),
            new Expect("notify-productionB", List.of("job"), false, W, I, Duration.ofHours(1))),
        List.of(
            "{}/{owner=\"team-A\"}/{env=\"production\"}",
            "{}/{owner=\"team-A\"}/{env=~\"^(?:produ.*)$\",job=~\"^(?:.*)$\"}"));
    assertMatch(
        tree,
        Map.of("group_by", "role"),
        List.of(new Expect("notify-def", List.of("role"), false, W, I, R)),
        List.of("{}/{group_by=\"role\"}"));
    assertMatch(
        tree,
        Map.of("env", "testing", "group_by", "role"),
        List.of(new Expect("notify-testing", List.of("role"), false, W, I, R)),
        List.of("{}/{group_by=\"role\"}/{env=\"testing\"}"));
    assertMatch(
        tree,
        Map.of("env", "testing", "group_by", "role", "wait", "long"),
        List.of(new Expect("notify-testing", List.of("role"), false, Duration.ofMinutes(2), I, R)),
        List.of("{}/{group_by=\"role\"}/{env=\"testing\"}/{wait=\"long\"}"));
  }

  @Test
  @DisplayName(
      "The walk with matcher strings finds Alertmanager's routes and keys (TestRouteMatchers)")
  void routeMatchers() {
    Route tree = tree(MATCHERS_TREE);
    assertMatch(
        tree,
        Map.of("owner", "team-A"),
        List.of(new Expect("notify-A", List.of(), false, W, I, R)),
        List.of("{}/{level!=\"critical\",owner=\"team-A\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "level", "critical"),
        List.of(new Expect("notify-def", List.of(), false, W, I, R)),
        List.of("{}"));
    assertMatch(
        tree,
        Map.of("owner", "team-C"),
        List.of(new Expect("notify-BC", List.of("bar", "foo"), false, Duration.ofMinutes(2), I, R)),
        List.of("{}/{owner=~\"team-(B|C)\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "env", "testing"),
        List.of(new Expect("notify-testing", List.of(), true, W, I, R)),
        List.of("{}/{level!=\"critical\",owner=\"team-A\"}/{baz!~\".*quux\",env=\"testing\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "env", "testing", "baz", "quux"),
        List.of(new Expect("notify-A", List.of(), false, W, I, R)),
        List.of("{}/{level!=\"critical\",owner=\"team-A\"}"));
    assertMatch(
        tree,
        Map.of("owner", "team-A", "env", "production"),
        List.of(
            new Expect("notify-productionA", List.of(), false, Duration.ofMinutes(1), I, R),
            new Expect("notify-productionB", List.of("job"), false, W, I, Duration.ofHours(1))),
        List.of(
            "{}/{level!=\"critical\",owner=\"team-A\"}/{env=\"production\"}",
            "{}/{level!=\"critical\",owner=\"team-A\"}/{env=~\"produ.*\",job=~\".*\"}"));
    assertMatch(
        tree,
        Map.of("env", "testing", "group_by", "role", "wait", "long"),
        List.of(new Expect("notify-testing", List.of("role"), false, Duration.ofMinutes(2), I, R)),
        List.of("{}/{group_by=\"role\"}/{env=\"testing\"}/{wait=\"long\"}"));
  }

  @Test
  @DisplayName(
      "The tree is walked depth first in order, children inherit the receiver (TestRouteWalk)")
  void walk() {
    List<String> receivers = new ArrayList<>();
    tree(MATCH_TREE).walk(r -> receivers.add(r.receiver()));
    assertThat(receivers)
        .containsExactly(
            "notify-def",
            "notify-A",
            "notify-testing",
            "notify-productionA",
            "notify-productionB",
            "notify-BC",
            "notify-def",
            "notify-testing",
            "notify-testing");
  }

  @Test
  @DisplayName(
      "Children inherit group_by: ['...'] unless they set their own (TestInheritParentGroupByAll)")
  void inheritGroupByAll() {
    Route tree =
        tree(
            """
            route:
              receiver: r
              routes:
              - match: {env: parent}
                group_by: ['...']
                routes:
                - match: {env: child1}
                - match: {env: child2}
                  group_by: ['foo']
            receivers: [{name: r}]
            """);
    Route parent = tree.routes().get(0);
    assertThat(parent.groupByAll()).isTrue();
    assertThat(parent.routes().get(0).groupByAll()).isTrue();
    assertThat(parent.routes().get(1).groupByAll()).isFalse();
    assertThat(parent.routes().get(1).groupBy()).containsExactly("foo");
  }

  @Test
  @DisplayName(
      "Ids tell apart siblings with equal keys, and indices number children before parents (TestRouteID, TestRouteIndices)")
  void idsAndIndices() {
    Route tree =
        tree(
            """
            route:
              receiver: r
              routes:
              - matchers: [a="1"]
                continue: true
                routes:
                - matchers: [b="1"]
              - matchers: [a="1"]
            receivers: [{name: r}]
            """);
    assertThat(tree.routes())
        .extracting(Route::key)
        .containsExactly("{}/{a=\"1\"}", "{}/{a=\"1\"}");
    assertThat(tree.routes())
        .extracting(Route::id)
        .containsExactly("{}/{a=\"1\"}/0", "{}/{a=\"1\"}/1");
    assertThat(tree.routes().get(0).routes().get(0).id()).isEqualTo("{}/{a=\"1\"}/0/{b=\"1\"}/0");
    assertThat(tree.routes().get(0).routes().get(0).index()).isZero();
    assertThat(tree.routes().get(0).index()).isEqualTo(1);
    assertThat(tree.routes().get(1).index()).isEqualTo(2);
    assertThat(tree.index()).isEqualTo(3);
  }

  @Test
  @DisplayName(
      "Group labels are the alert's group_by labels it has, or all of them for '...'; the group key joins them to the route key")
  void groupLabels() {
    Route tree =
        tree(
            """
            route:
              receiver: r
              group_by: [incident, host]
              routes:
              - matchers: [type=~"io.valentia.chaos.*"]
                group_by: ['...']
            receivers: [{name: r}]
            """);
    Map<String, String> incident = Map.of("incident", "inc-1", "severity", "critical");
    assertThat(tree.groupLabels(incident)).containsExactly(Map.entry("incident", "inc-1"));
    assertThat(tree.groupKey(tree.groupLabels(incident))).isEqualTo("{}:{incident=\"inc-1\"}");
    Route chaos = tree.routes().get(0);
    Map<String, String> fault = Map.of("type", "io.valentia.chaos.halt", "host", "db-1");
    assertThat(tree.match(fault)).containsExactly(chaos);
    assertThat(chaos.groupKey(chaos.groupLabels(fault)))
        .isEqualTo(
            "{}/{type=~\"io.valentia.chaos.*\"}:{host=\"db-1\", type=\"io.valentia.chaos.halt\"}");
  }
}
