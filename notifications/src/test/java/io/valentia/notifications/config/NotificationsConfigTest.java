package io.valentia.notifications.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.MissingNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.notifications.route.Matcher;
import io.valentia.notifications.route.Route;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NotificationsConfigTest {

  private static List<String> problems(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> Yaml.config(yaml));
    assertThat(e).as("the configuration is refused").isNotNull();
    return e.problems();
  }

  @Test
  @DisplayName("The alertmanager.yml example of FORMATS.md parses with Alertmanager's defaults")
  void formatsExample() {
    NotificationsConfig config = Yaml.config(Yaml.FORMATS_EXAMPLE);

    assertThat(config.enabled()).isTrue();
    assertThat(config.externalUrl()).isEqualTo(URI.create("http://127.0.0.1:8080"));
    Route root = config.route();
    assertThat(root.receiver()).isEqualTo("storage-oncall");
    assertThat(root.groupBy()).containsExactly("incident");
    assertThat(root.groupWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(root.groupInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(root.repeatInterval()).isEqualTo(Duration.ofHours(4));
    assertThat(root.routes()).hasSize(2);
    assertThat(root.routes().get(0).receiver()).isEqualTo("pager");
    assertThat(root.routes().get(0).continueMatching()).isTrue();
    assertThat(root.routes().get(0).matchers())
        .containsExactly(Matcher.equal("severity", "critical"));
    assertThat(root.routes().get(1).key()).isEqualTo("{}/{type=~\"io.valentia.chaos.*\"}");
    assertThat(root.routes().get(1).groupBy()).as("inherited").containsExactly("incident");

    assertThat(config.receivers())
        .extracting(ReceiverConfig::name)
        .containsExactly("storage-oncall", "pager", "chaos-channel");
    ReceiverConfig.Slack slack = config.receiver("storage-oncall").orElseThrow().slack().get(0);
    assertThat(slack.apiUrl())
        .isEqualTo(URI.create("https://hooks.example/services/T000/B000/XXX"));
    assertThat(slack.channel()).isEqualTo("#storage");
    assertThat(slack.sendResolved()).as("Slack's default").isFalse();
    assertThat(slack.title()).isNull();
    ReceiverConfig.Webhook webhook = config.receiver("pager").orElseThrow().webhooks().get(0);
    assertThat(webhook.url()).isEqualTo(URI.create("http://pager.example:9095/alert"));
    assertThat(webhook.sendResolved()).isTrue();
    assertThat(webhook.maxAlerts()).isZero();
    assertThat(webhook.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(webhook.hmacSecret()).isNull();

    assertThat(config.inhibitRules()).hasSize(1);
    assertThat(config.inhibitRules().get(0).sourceMatchers())
        .containsExactly(Matcher.equal("severity", "critical"));
    assertThat(config.inhibitRules().get(0).targetMatchers())
        .containsExactly(Matcher.equal("severity", "warning"));
    assertThat(config.inhibitRules().get(0).equal()).containsExactly("host");
    assertThat(config.delivery()).isInstanceOf(MissingNode.class);
    assertThat(config.slack()).isInstanceOf(MissingNode.class);
  }

  @Test
  @DisplayName(
      "A configuration with several mistakes is refused with every one of them, each at its key path")
  void everyProblemAtOnce() {
    List<String> problems =
        problems(
            """
            external_url: ftp://valentia.example
            route:
              receiver: nobody
              matchers: ['team="storage"']
              group_wait: 30
              group_interval: 0s
              repeat_interval: 5 minutes
              group_by: ['...', host]
              routes:
                - matchers: ['severity="critical"']
                  receiver: pager
                - matchers: ['severity~critical', 'host=~"db-(.*"']
                  receiver: missing
                  mute_time_intervals: [nights]
            inhibit_rules:
              - source_matchers: ['severity="critical"']
                target_match_re: {severity: "warn(ing"}
                equal: ["not-a-label"]
            receivers:
              - name: pager
                webhook_configs: [{url: "pager.example/alert", max_alerts: -1, timeout: 0s}]
              - name: pager
                slack_configs: [{api_url_file: /etc/slack-url}]
                email_configs: [{to: ops@example.com}]
              - name: chat
                slack_configs: [{api_url: "https://hooks.example/x", title: "{{ .CommonLabels.alertname }}", http_config: {}}]
            templates: ['/etc/alertmanager/*.tmpl']
            """);

    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("templates: not supported"))
        .anySatisfy(
            p -> assertThat(p).startsWith("external_url: must be an absolute http or https URL"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("receivers[0].webhook_configs[0].url: must be an absolute"))
        .anySatisfy(p -> assertThat(p).startsWith("receivers[0].webhook_configs[0].max_alerts: "))
        .anySatisfy(
            p ->
                assertThat(p).startsWith("receivers[0].webhook_configs[0].timeout: cannot be zero"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("receivers[1].name: receiver name \"pager\" is not unique"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("receivers[1].slack_configs[0].api_url_file: not supported"))
        .anySatisfy(p -> assertThat(p).startsWith("receivers[1].slack_configs[0].api_url: missing"))
        .anySatisfy(p -> assertThat(p).startsWith("receivers[1].email_configs: not supported"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "receivers[2].slack_configs[0].title: Go templates are not supported"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("receivers[2].slack_configs[0].http_config: not supported"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo("route.receiver: undefined receiver \"nobody\" used in route"))
        .anySatisfy(
            p -> assertThat(p).startsWith("route: the root route must not have any matchers"))
        .anySatisfy(p -> assertThat(p).isEqualTo("route.group_wait: must be a string"))
        .anySatisfy(p -> assertThat(p).isEqualTo("route.group_interval: cannot be zero"))
        .anySatisfy(
            p -> assertThat(p).startsWith("route.repeat_interval: not a valid duration string"))
        .anySatisfy(p -> assertThat(p).startsWith("route.group_by: cannot have wildcard group_by"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "route.routes[1].matchers[0]: bad matcher format: severity~critical"))
        .anySatisfy(
            p ->
                assertThat(p).startsWith("route.routes[1].matchers[1]: invalid regular expression"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "route.routes[1].receiver: undefined receiver \"missing\" used in route"))
        .anySatisfy(
            p -> assertThat(p).startsWith("route.routes[1].mute_time_intervals: not supported"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "inhibit_rules[0].target_match_re.severity: invalid regular expression"))
        .anySatisfy(p -> assertThat(p).startsWith("inhibit_rules[0].equal[0]: invalid label name"));
    assertThat(problems).hasSize(23);
  }

  @Test
  @DisplayName("A missing section, or one without a route, turns notifications off")
  void noneWithoutRoute() {
    assertThat(NotificationsConfig.parse(MissingNode.getInstance()).enabled()).isFalse();
    assertThat(NotificationsConfig.parse(null)).isEqualTo(NotificationsConfig.none());
    NotificationsConfig slashOnly =
        Yaml.config("slack: {signing_secret: abc}\ndelivery: {retries: 3}\n");
    assertThat(slashOnly.enabled()).isFalse();
    assertThat(slashOnly.slack().path("signing_secret").asText()).isEqualTo("abc");
    assertThat(slashOnly.delivery().path("retries").asInt()).isEqualTo(3);
  }

  @Test
  @DisplayName("Receivers without a route are refused rather than silently never used")
  void receiversWithoutRoute() {
    assertThat(problems("receivers: [{name: x}]\n"))
        .containsExactly("route: missing: receivers are configured but no route sends to them");
  }

  @Test
  @DisplayName("The root route needs a receiver and cannot continue; unknown keys are named")
  void rootRoute() {
    assertThat(problems("route: {continue: true, groupby: [x]}\n"))
        .containsExactlyInAnyOrder(
            "route.groupby: not supported (supported here: continue, group_by, group_interval,"
                + " group_wait, match, match_re, matchers, receiver, repeat_interval, routes)",
            "route.receiver: missing: the root route must name a default receiver",
            "route.continue: cannot have continue in the root route");
  }

  @Test
  @DisplayName("Each integration gets Alertmanager's defaults and Valentia's additions")
  void integrations() {
    NotificationsConfig config =
        Yaml.config(
            """
            external_url: https://valentia.example/
            route: {receiver: all}
            receivers:
              - name: all
                slack_configs:
                  - {api_url: "https://hooks.slack.com/services/A/B/C", send_resolved: true, username: v, icon_emoji: ":fire:", text: hello}
                mattermost_configs:
                  - {webhook_url: "https://mm.example/hooks/x", channel: ops}
                discord_configs:
                  - {webhook_url: "https://discord.com/api/webhooks/1/t", title: Alert, send_resolved: false}
                webhook_configs:
                  - {url: "https://hook.example/a", max_alerts: 5, hmac_secret: s3cret, timeout: 2s}
              - name: blackhole
            """);
    assertThat(config.externalUrl()).isEqualTo(URI.create("https://valentia.example/"));
    ReceiverConfig all = config.receiver("all").orElseThrow();
    assertThat(all.integrations()).isEqualTo(4);
    assertThat(all.slack().get(0).sendResolved()).isTrue();
    assertThat(all.slack().get(0).iconEmoji()).isEqualTo(":fire:");
    assertThat(all.mattermost().get(0))
        .isEqualTo(
            new ReceiverConfig.Mattermost(
                URI.create("https://mm.example/hooks/x"), "ops", null, null, null, true));
    assertThat(all.discord().get(0).sendResolved()).isFalse();
    assertThat(all.webhooks().get(0))
        .isEqualTo(
            new ReceiverConfig.Webhook(
                URI.create("https://hook.example/a"), true, 5, "s3cret", Duration.ofSeconds(2)));
    assertThat(config.receiver("blackhole").orElseThrow().integrations()).isZero();
  }

  @Test
  @DisplayName(
      "Legacy match and match_re maps become matchers, match_re anchored as Alertmanager keeps it")
  void legacyMatch() {
    NotificationsConfig config =
        Yaml.config(
            """
            route:
              receiver: r
              routes:
                - match: {service: db, team: storage}
                  match_re: {severity: "crit.*"}
                  group_by: ['...']
            receivers: [{name: r}]
            """);
    Route child = config.route().routes().get(0);
    assertThat(child.key())
        .isEqualTo("{}/{service=\"db\",severity=~\"^(?:crit.*)$\",team=\"storage\"}");
    assertThat(child.groupByAll()).isTrue();
    assertThat(
            config
                .route()
                .match(Map.of("service", "db", "team", "storage", "severity", "critical")))
        .containsExactly(child);
    assertThat(
            config
                .route()
                .match(Map.of("service", "db", "team", "storage", "severity", "xcritical")))
        .containsExactly(config.route());
  }

  @Test
  @DisplayName("A matcher line may hold several matchers, in braces or not")
  void matcherLists() {
    NotificationsConfig config =
        Yaml.config(
            """
            route:
              receiver: r
              routes:
                - matchers: ['{severity="critical", host=~"db-.*"}', 'team=storage']
            receivers: [{name: r}]
            """);
    assertThat(config.route().routes().get(0).matchers())
        .containsExactly(
            Matcher.regex("host", "db-.*"),
            Matcher.equal("severity", "critical"),
            Matcher.equal("team", "storage"));
  }
}
