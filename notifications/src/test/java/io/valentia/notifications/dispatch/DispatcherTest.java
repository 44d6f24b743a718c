package io.valentia.notifications.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.NotificationsConfig;
import io.valentia.notifications.config.Yaml;
import io.valentia.notifications.route.Matcher;
import io.valentia.notifications.silence.Silence;
import io.valentia.notifications.silence.Silences;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

  /**
   * FORMATS.md's tree with webhook receivers (they send resolved alerts) for the pager and the
   * chaos channel, Slack (which does not) for the team.
   */
  private static final String CONFIG =
      """
      route:
        receiver: storage-oncall
        group_by: [incident]
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 4h
        routes:
          - matchers: ['severity="critical"']
            receiver: pager
            continue: true
          - matchers: ['type=~"io.valentia.chaos.*"']
            receiver: chaos-channel
          - matchers: ['type="noise"']
            receiver: nowhere
      inhibit_rules:
        - source_matchers: ['severity="critical"']
          target_matchers: ['severity="warning"']
          equal: [host]
      receivers:
        - name: storage-oncall
          slack_configs: [{api_url: "https://hooks.example/services/T000/B000/XXX"}]
        - name: pager
          webhook_configs: [{url: "http://pager.example:9095/alert"}]
        - name: chaos-channel
          webhook_configs: [{url: "http://chaos.example/alert"}]
        - name: nowhere
      """;

  private final NotificationsConfig config = Yaml.config(CONFIG);
  private final Silences silences = new Silences();
  private final List<Notification> sent = new ArrayList<>();
  private final Map<String, GroupState> topic = new LinkedHashMap<>();
  private final List<String> removed = new ArrayList<>();
  private Dispatcher dispatcher = dispatcher(sent);

  private Dispatcher dispatcher(List<Notification> into) {
    Dispatcher d = new Dispatcher(config, silences, into::add);
    d.setGroupListener(this::written);
    return d;
  }

  private void written(String key, GroupState state) {
    if (state == null) {
      topic.remove(key);
      removed.add(key);
    } else {
      assertThat(state.key()).isEqualTo(key);
      topic.put(key, state);
    }
  }

  private static Alert alert(Instant startsAt, String... labels) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    return new Alert(map, Map.of("summary", "test"), startsAt, null, null);
  }

  private static Alert resolved(Alert alert, Instant endsAt) {
    return new Alert(alert.labels(), alert.annotations(), alert.startsAt(), endsAt, null);
  }

  /** Ticks at every due time up to and including {@code until}, as the service's timer would. */
  private void runUntil(Dispatcher d, Instant until) {
    for (Instant due = d.nextDue(); due != null && !due.isAfter(until); due = d.nextDue()) {
      d.tick(due);
    }
  }

  private void runUntil(Instant until) {
    runUntil(dispatcher, until);
  }

  private static List<String> fingerprints(List<Alert> alerts) {
    return alerts.stream().map(Alert::fingerprint).toList();
  }

  @Test
  @DisplayName(
      "A group is first sent group_wait after its first alert, then changes go out at group_interval steps only")
  void groupWaitThenGroupInterval() {
    Alert disk = alert(T0, "incident", "inc-1", "type", "disk", "host", "db-1");
    dispatcher.put(disk, T0);
    assertThat(dispatcher.nextDue()).isEqualTo(T0.plusSeconds(30));

    dispatcher.tick(T0.plusSeconds(29));
    assertThat(sent).isEmpty();
    dispatcher.tick(T0.plusSeconds(30));
    assertThat(sent).hasSize(1);
    Notification first = sent.get(0);
    assertThat(first.receiver()).isEqualTo("storage-oncall");
    assertThat(first.groupKey()).isEqualTo("{}:{incident=\"inc-1\"}");
    assertThat(first.groupLabels()).containsExactly(Map.entry("incident", "inc-1"));
    assertThat(first.alerts()).containsExactly(disk);
    assertThat(first.createdAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(first.status()).isEqualTo("firing");
    assertThat(first.id()).matches("[0-9a-f]{32}");

    Alert cpu = alert(T0.plusSeconds(40), "incident", "inc-1", "type", "cpu", "host", "db-1");
    dispatcher.put(cpu, T0.plusSeconds(40));
    assertThat(dispatcher.nextDue())
        .as("a new alert does not move the group's timer")
        .isEqualTo(T0.plusSeconds(330));
    dispatcher.tick(T0.plusSeconds(329));
    assertThat(sent).hasSize(1);
    dispatcher.tick(T0.plusSeconds(330));
    assertThat(sent).hasSize(2);
    assertThat(fingerprints(sent.get(1).alerts()))
        .containsExactlyInAnyOrder(disk.fingerprint(), cpu.fingerprint());
    assertThat(sent.get(1).id()).isNotEqualTo(first.id());

    runUntil(T0.plus(Duration.ofHours(1)));
    assertThat(sent).as("nothing changed: nothing more is sent within repeat_interval").hasSize(2);
  }

  @Test
  @DisplayName("An alert that started longer than group_wait ago is flushed at once")
  void oldAlertFlushesAtOnce() {
    dispatcher.put(alert(T0.minusSeconds(600), "incident", "inc-1"), T0);
    assertThat(dispatcher.nextDue()).isEqualTo(T0);
    dispatcher.tick(T0);
    assertThat(sent).hasSize(1);
  }

  @Test
  @DisplayName("Alerts of different group_by values go to different groups and notifications")
  void groupsByLabels() {
    dispatcher.put(alert(T0, "incident", "inc-1", "type", "a"), T0);
    dispatcher.put(alert(T0, "incident", "inc-2", "type", "a"), T0);
    dispatcher.put(alert(T0, "incident", "inc-1", "type", "b"), T0);
    runUntil(T0.plusSeconds(30));
    assertThat(sent)
        .extracting(Notification::groupKey)
        .containsExactly("{}:{incident=\"inc-1\"}", "{}:{incident=\"inc-2\"}");
    assertThat(sent.get(0).alerts()).hasSize(2);
    assertThat(dispatcher.groups()).hasSize(2);
  }

  @Test
  @DisplayName("With continue, a critical chaos alert goes to the pager and to the chaos channel")
  void continueSendsToSeveralReceivers() {
    dispatcher.put(
        alert(T0, "type", "io.valentia.chaos.halt", "severity", "critical", "incident", "inc-9"),
        T0);
    runUntil(T0.plusSeconds(30));
    assertThat(sent)
        .extracting(Notification::receiver)
        .containsExactlyInAnyOrder("pager", "chaos-channel");
    assertThat(sent)
        .extracting(Notification::groupKey)
        .containsExactlyInAnyOrder(
            "{}/{severity=\"critical\"}:{incident=\"inc-9\"}",
            "{}/{type=~\"io.valentia.chaos.*\"}:{incident=\"inc-9\"}");
  }

  @Test
  @DisplayName("A resolution is sent once, then the group is removed")
  void resolutionSentOnce() {
    Alert critical = alert(T0, "severity", "critical", "incident", "inc-1", "host", "db-1");
    dispatcher.put(critical, T0);
    runUntil(T0.plusSeconds(30));
    assertThat(sent).hasSize(1);
    String key = dispatcher.groups().get(0).key();

    dispatcher.put(resolved(critical, T0.plusSeconds(60)), T0.plusSeconds(60));
    runUntil(T0.plusSeconds(330));
    assertThat(sent).hasSize(2);
    Notification resolution = sent.get(1);
    assertThat(resolution.receiver()).isEqualTo("pager");
    assertThat(resolution.status()).isEqualTo("resolved");
    assertThat(resolution.resolved()).hasSize(1);
    assertThat(resolution.alerts().get(0).endsAt()).isEqualTo(T0.plusSeconds(60));

    assertThat(dispatcher.groups()).isEmpty();
    assertThat(dispatcher.alerts()).isEmpty();
    assertThat(dispatcher.nextDue()).isNull();
    assertThat(removed).containsExactly(key);
    assertThat(topic).isEmpty();
    runUntil(T0.plus(Duration.ofDays(1)));
    assertThat(sent).hasSize(2);
  }

  @Test
  @DisplayName(
      "One alert of two resolving is sent where resolved alerts are wanted (webhook), not to Slack with send_resolved false")
  void resolvedSetGrew() {
    Alert a = alert(T0, "severity", "critical", "incident", "inc-1", "host", "db-1");
    Alert b = alert(T0, "severity", "critical", "incident", "inc-1", "host", "db-2");
    Alert c = alert(T0, "incident", "inc-2", "host", "db-1");
    Alert d = alert(T0, "incident", "inc-2", "host", "db-2");
    for (Alert x : List.of(a, b, c, d)) {
      dispatcher.put(x, T0);
    }
    runUntil(T0.plusSeconds(30));
    assertThat(sent).extracting(Notification::receiver).containsExactly("pager", "storage-oncall");

    dispatcher.put(resolved(a, T0.plusSeconds(60)), T0.plusSeconds(60));
    dispatcher.put(resolved(c, T0.plusSeconds(60)), T0.plusSeconds(60));
    runUntil(T0.plusSeconds(330));
    assertThat(sent).hasSize(3);
    Notification update = sent.get(2);
    assertThat(update.receiver()).isEqualTo("pager");
    assertThat(fingerprints(update.firing())).containsExactly(b.fingerprint());
    assertThat(fingerprints(update.resolved())).containsExactly(a.fingerprint());

    dispatcher.put(resolved(d, T0.plusSeconds(400)), T0.plusSeconds(400));
    runUntil(T0.plusSeconds(630));
    assertThat(sent).as("all resolved, but Slack does not want resolved alerts").hasSize(3);
    assertThat(dispatcher.groups()).extracting(GroupState::receiver).containsExactly("pager");
  }

  @Test
  @DisplayName(
      "A firing group is sent again after repeat_interval, at the first group_interval step past it")
  void repeatInterval() {
    dispatcher.put(alert(T0, "incident", "inc-1"), T0);
    runUntil(T0.plus(Duration.ofHours(9)));
    assertThat(sent)
        .extracting(Notification::createdAt)
        .containsExactly(
            T0.plusSeconds(30),
            T0.plusSeconds(30).plus(Duration.ofHours(4)).plus(Duration.ofMinutes(5)),
            T0.plusSeconds(30).plus(Duration.ofHours(8)).plus(Duration.ofMinutes(10)));
    assertThat(sent).extracting(Notification::id).doesNotHaveDuplicates();
    assertThat(dispatcher.groups().get(0).sequence()).isEqualTo(3);
  }

  @Test
  @DisplayName("A critical alert on a host mutes that host's warnings until it resolves")
  void inhibition() {
    Alert critical = alert(T0, "severity", "critical", "host", "db-1", "incident", "inc-1");
    Alert warning =
        alert(T0, "severity", "warning", "host", "db-1", "incident", "inc-1", "type", "disk");
    Alert otherHost = alert(T0, "severity", "warning", "host", "db-2", "incident", "inc-2");
    dispatcher.put(critical, T0);
    dispatcher.put(warning, T0);
    dispatcher.put(otherHost, T0);
    runUntil(T0.plusSeconds(30));

    assertThat(sent)
        .extracting(Notification::receiver)
        .containsExactlyInAnyOrder("pager", "storage-oncall");
    Notification team =
        sent.stream().filter(n -> n.receiver().equals("storage-oncall")).findFirst().orElseThrow();
    assertThat(team.alerts()).containsExactly(otherHost);
    assertThat(dispatcher.mutedBy(warning, T0.plusSeconds(30)))
        .contains("inhibited by " + critical.fingerprint());
    assertThat(dispatcher.mutedBy(otherHost, T0.plusSeconds(30))).isEmpty();

    dispatcher.put(resolved(critical, T0.plusSeconds(100)), T0.plusSeconds(100));
    runUntil(T0.plusSeconds(330));
    assertThat(sent).hasSize(4);
    assertThat(sent.subList(2, 4))
        .extracting(Notification::receiver)
        .containsExactlyInAnyOrder("pager", "storage-oncall");
    Notification unmuted =
        sent.stream()
            .skip(2)
            .filter(n -> n.receiver().equals("storage-oncall"))
            .findFirst()
            .orElseThrow();
    assertThat(unmuted.alerts()).containsExactly(warning);
    assertThat(dispatcher.mutedBy(warning, T0.plusSeconds(330))).isEmpty();
  }

  @Test
  @DisplayName("A regex silence mutes matching alerts until it is expired, then they are sent")
  void silences() {
    silences.put(
        new Silence(
            "sil-1",
            Matcher.parseList("host=~\"db-.*\""),
            T0,
            T0.plus(Duration.ofHours(2)),
            "alice",
            "database maintenance",
            T0));
    Alert db = alert(T0, "incident", "inc-1", "host", "db-1");
    Alert web = alert(T0, "incident", "inc-2", "host", "web-1");
    Alert dbx = alert(T0, "incident", "inc-3", "host", "xdb-1");
    dispatcher.put(db, T0);
    dispatcher.put(web, T0);
    dispatcher.put(dbx, T0);
    runUntil(T0.plusSeconds(30));
    assertThat(sent).flatExtracting(Notification::alerts).containsExactlyInAnyOrder(web, dbx);
    assertThat(dispatcher.mutedBy(db, T0.plusSeconds(30))).contains("silenced by sil-1");

    silences.expire("sil-1", T0.plusSeconds(60));
    assertThat(dispatcher.mutedBy(db, T0.plusSeconds(60))).isEmpty();
    runUntil(T0.plusSeconds(330));
    assertThat(sent).hasSize(3);
    assertThat(sent.get(2).alerts()).containsExactly(db);
  }

  @Test
  @DisplayName(
      "A silence that ends by itself lets the alert through at the next group_interval step")
  void silenceRunsOut() {
    silences.put(
        new Silence(
            "sil-2",
            Matcher.parseList("incident=\"inc-1\""),
            T0,
            T0.plusSeconds(200),
            "bob",
            "known",
            T0));
    dispatcher.put(alert(T0, "incident", "inc-1"), T0);
    runUntil(T0.plusSeconds(200));
    assertThat(sent).isEmpty();
    runUntil(T0.plusSeconds(330));
    assertThat(sent).extracting(Notification::createdAt).containsExactly(T0.plusSeconds(330));
  }

  @Test
  @DisplayName(
      "Groups restored from their JSON snapshot after a restart do not send again, and go on where they were")
  void restoreDoesNotResend() throws Exception {
    Alert a = alert(T0, "severity", "critical", "incident", "inc-1", "host", "db-1");
    Alert b = alert(T0, "incident", "inc-2", "host", "db-2");
    dispatcher.put(a, T0);
    dispatcher.put(b, T0);
    runUntil(T0.plusSeconds(30));
    assertThat(sent).hasSize(2);
    List<GroupState> before = dispatcher.groups();
    assertThat(topic.values()).containsExactlyElementsOf(before);

    String json = EventCodec.MAPPER.writeValueAsString(topic.values());
    List<GroupState> read =
        EventCodec.MAPPER.readValue(json, new TypeReference<List<GroupState>>() {});
    assertThat(read).isEqualTo(before);

    List<Notification> afterRestart = new ArrayList<>();
    Dispatcher restarted = dispatcher(afterRestart);
    restarted.restore(read);
    assertThat(restarted.groups()).isEqualTo(before);
    assertThat(restarted.nextDue()).isEqualTo(dispatcher.nextDue());
    assertThat(removed).isEmpty();

    restarted.put(a, T0.plusSeconds(100)); // the source sends its alerts again after the restart
    runUntil(restarted, T0.plus(Duration.ofHours(4)));
    assertThat(afterRestart).as("nothing new within repeat_interval").isEmpty();

    restarted.put(resolved(a, T0.plus(Duration.ofHours(4))), T0.plus(Duration.ofHours(4)));
    runUntil(restarted, T0.plus(Duration.ofHours(4)).plusSeconds(330));
    assertThat(afterRestart).hasSize(2);
    Notification resolution =
        afterRestart.stream().filter(n -> n.receiver().equals("pager")).findFirst().orElseThrow();
    assertThat(resolution.status()).isEqualTo("resolved");
    assertThat(afterRestart)
        .extracting(Notification::id)
        .doesNotContainAnyElementsOf(sent.stream().map(Notification::id).toList());
    assertThat(afterRestart)
        .filteredOn(n -> n.receiver().equals("storage-oncall"))
        .as("repeat_interval counted from the notification before the restart")
        .extracting(Notification::createdAt)
        .containsExactly(T0.plusSeconds(30).plus(Duration.ofHours(4)).plusSeconds(300));
  }

  @Test
  @DisplayName(
      "A restored group whose route is gone is routed through the new tree and its old key removed")
  void restoreAcrossConfigurationChange() {
    dispatcher.put(alert(T0, "type", "io.valentia.chaos.halt", "incident", "inc-1"), T0);
    List<GroupState> before = dispatcher.groups();
    assertThat(before).extracting(GroupState::receiver).containsExactly("chaos-channel");

    NotificationsConfig changed =
        Yaml.config(
            """
            route:
              receiver: everyone
              group_by: [incident]
            receivers:
              - name: everyone
                webhook_configs: [{url: "http://all.example/hook"}]
            """);
    List<Notification> out = new ArrayList<>();
    Dispatcher restarted = new Dispatcher(changed, silences, out::add);
    restarted.setGroupListener(this::written);
    restarted.restore(before);
    assertThat(removed).containsExactly(before.get(0).key());
    assertThat(restarted.groups())
        .extracting(GroupState::groupKey)
        .containsExactly("{}:{incident=\"inc-1\"}");
    assertThat(restarted.nextDue()).isEqualTo(T0.plusSeconds(30));
    runUntil(restarted, T0.plusSeconds(30));
    assertThat(out).extracting(Notification::receiver).containsExactly("everyone");
  }

  @Test
  @DisplayName("A restored group whose route now groups by other labels is regrouped")
  void restoreAcrossGroupByChange() {
    dispatcher.put(alert(T0, "incident", "inc-1", "host", "db-1"), T0);
    dispatcher.put(alert(T0, "incident", "inc-1", "host", "db-2"), T0);
    List<GroupState> before = dispatcher.groups();
    NotificationsConfig byHost =
        Yaml.config(CONFIG.replace("group_by: [incident]", "group_by: [host]"));
    Dispatcher restarted = new Dispatcher(byHost, silences, sent::add);
    restarted.restore(before);
    assertThat(restarted.groups())
        .extracting(GroupState::groupKey)
        .containsExactly("{}:{host=\"db-1\"}", "{}:{host=\"db-2\"}");
  }

  @Test
  @DisplayName("The same inputs give the same notification ids; the listener sees every change")
  void stableIdsAndListener() {
    List<Notification> other = new ArrayList<>();
    Dispatcher twin = new Dispatcher(config, silences, other::add);
    Alert x = alert(T0, "incident", "inc-1");
    for (Dispatcher d : List.of(dispatcher, twin)) {
      d.put(x, T0);
      runUntil(d, T0.plusSeconds(30));
      d.put(resolved(x, T0.plusSeconds(40)), T0.plusSeconds(40));
      d.put(alert(T0.plusSeconds(50), "incident", "inc-1", "host", "h"), T0.plusSeconds(50));
      runUntil(d, T0.plusSeconds(330));
    }
    assertThat(sent).hasSize(2);
    assertThat(other)
        .extracting(Notification::id)
        .isEqualTo(sent.stream().map(Notification::id).toList());
    assertThat(topic).hasSize(1);
    GroupState state = topic.values().iterator().next();
    assertThat(state.sequence()).isEqualTo(2);
    assertThat(state.lastNotified()).isEqualTo(T0.plusSeconds(330));
    assertThat(state.nextFlush()).isEqualTo(T0.plusSeconds(630));
    assertThat(state.alerts()).as("the resolved alert left the group after its flush").hasSize(1);
    assertThat(state.lastFiring()).hasSize(1);
    assertThat(state.lastResolved()).hasSize(1);
    assertThat(sent.get(1).alerts()).as("Slack does not send resolved alerts").hasSize(1);
  }

  @Test
  @DisplayName(
      "When the outbox refuses a notification, the flush is tried again at the next group_interval")
  void refusedNotificationIsRetried() {
    AtomicBoolean refuse = new AtomicBoolean(true);
    List<Notification> taken = new ArrayList<>();
    Dispatcher d =
        new Dispatcher(
            config,
            silences,
            n -> {
              if (refuse.get()) {
                throw new IllegalStateException("outbox unavailable");
              }
              taken.add(n);
            });
    Alert x = alert(T0, "incident", "inc-1", "severity", "critical");
    d.put(x, T0);
    d.tick(T0.plusSeconds(30));
    assertThat(taken).isEmpty();
    assertThat(d.groups().get(0).lastNotified()).isNull();
    assertThat(d.nextDue()).isEqualTo(T0.plusSeconds(330));
    refuse.set(false);
    d.tick(T0.plusSeconds(330));
    assertThat(taken).hasSize(1);
    assertThat(taken.get(0).createdAt()).isEqualTo(T0.plusSeconds(330));
  }

  @Test
  @DisplayName(
      "A receiver without integrations sends nothing, and its groups still go away once resolved")
  void blackhole() {
    Alert noise = alert(T0, "type", "noise", "incident", "inc-1");
    dispatcher.put(noise, T0);
    runUntil(T0.plusSeconds(30));
    assertThat(sent).isEmpty();
    assertThat(dispatcher.groups()).extracting(GroupState::receiver).containsExactly("nowhere");
    dispatcher.put(resolved(noise, T0.plusSeconds(60)), T0.plusSeconds(60));
    runUntil(T0.plusSeconds(330));
    assertThat(dispatcher.groups()).isEmpty();
  }

  @Test
  @DisplayName("Without a route the dispatcher takes no alert")
  void notificationsOff() {
    Dispatcher off = new Dispatcher(NotificationsConfig.none(), silences, sent::add);
    off.put(alert(T0, "incident", "inc-1"), T0);
    off.tick(T0.plusSeconds(3600));
    assertThat(off.nextDue()).isNull();
    assertThat(off.groups()).isEmpty();
    assertThat(sent).isEmpty();
  }

  @Test
  @DisplayName(
      "An update of a firing alert keeps its first start; one that fires again after resolving starts anew")
  void updatesKeepStart() {
    Alert x = alert(T0, "incident", "inc-1");
    dispatcher.put(x, T0);
    dispatcher.put(alert(T0.plusSeconds(20), "incident", "inc-1"), T0.plusSeconds(20));
    assertThat(dispatcher.alerts().get(0).startsAt()).isEqualTo(T0);
    dispatcher.put(resolved(x, T0.plusSeconds(25)), T0.plusSeconds(25));
    dispatcher.put(alert(T0.plusSeconds(28), "incident", "inc-1"), T0.plusSeconds(28));
    assertThat(dispatcher.alerts().get(0).startsAt()).isEqualTo(T0.plusSeconds(28));
    assertThat(dispatcher.alerts().get(0).endsAt()).isNull();
  }
}
