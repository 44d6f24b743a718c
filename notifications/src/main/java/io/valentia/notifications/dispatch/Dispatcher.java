package io.valentia.notifications.dispatch;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.NotificationsConfig;
import io.valentia.notifications.config.ReceiverConfig;
import io.valentia.notifications.route.Inhibitor;
import io.valentia.notifications.route.LabelSets;
import io.valentia.notifications.route.Route;
import io.valentia.notifications.silence.Silences;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alertmanager's dispatcher, aggregation groups and notification deduplication, driven by the
 * caller's clock: {@link #put} sorts each alert into a group per matching route (keyed by the route
 * and the alert's {@code group_by} labels), and {@link #tick} flushes the groups that are due.
 *
 * <p>A new group is first flushed {@code group_wait} after its first alert arrived (at once when
 * that alert started longer than {@code group_wait} ago), then every {@code group_interval}. A
 * flush leaves out silenced and inhibited alerts and sends one {@link Notification} only when
 * Alertmanager's {@code DedupStage} would: the first time the group has a firing alert, when an
 * alert fires that was not in the last notification, when every alert has resolved, when more
 * alerts resolved (if any of the receiver's integrations sends resolved alerts), or when {@code
 * repeat_interval} has passed since the last notification. After a flush the resolved alerts leave
 * the group, and a group left empty is removed.
 *
 * <p>Alertmanager deduplicates per integration; here one notification serves all the receiver's
 * integrations, so a receiver counts as sending resolved alerts when any of its integrations does
 * ({@code send_resolved}). When none does, notifications carry firing alerts only, and a group's
 * resolution is recorded without a notification; when some do, the others must leave the resolved
 * alerts out (and skip a notification that has no firing alert) on delivery. A receiver without
 * integrations is never sent anything.
 *
 * <p>Not thread-safe: call it from one thread (or one Vert.x context). Deterministic: every time
 * comes from the caller.
 *
 * <p>This class keeps the grouping and the timing of flushes; each group and its deduplication are
 * an {@code AggregationGroup}, silences and inhibition are checked by {@code Muting}, and which
 * version of an alert is kept is decided by {@code AlertVersions}.
 */
public final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private static final Comparator<Alert> ALERT_ORDER =
      Comparator.comparing((Alert a) -> LabelSets.format(a.labels()));

  private final Route root;
  private final Map<String, Route> routesById = new HashMap<>();
  private final Map<String, ReceiverConfig> receivers = new HashMap<>();
  private final Muting muting;
  private final Consumer<Notification> out;
  private final Map<String, AggregationGroup> groups = new TreeMap<>();
  private final Map<String, Alert> alerts = new HashMap<>();

  /** The keys of the groups that hold each alert, by fingerprint (so an update finds them). */
  private final Map<String, Set<String>> holders = new HashMap<>();

  private BiConsumer<String, GroupState> listener = (key, state) -> {};

  /**
   * A dispatcher for {@code config}. With no route configured it routes nothing.
   *
   * @param silences consulted at each flush; may change at any time
   * @param out receives each notification; an exception it throws fails that flush only (the group
   *     is tried again at its next {@code group_interval})
   */
  public Dispatcher(NotificationsConfig config, Silences silences, Consumer<Notification> out) {
    this.root = config.route();
    this.muting =
        new Muting(
            Objects.requireNonNull(silences, "silences"), new Inhibitor(config.inhibitRules()));
    this.out = Objects.requireNonNull(out, "out");
    config.receivers().forEach(r -> receivers.put(r.name(), r));
    if (root != null) {
      root.walk(r -> routesById.put(r.id(), r));
    }
  }

  /**
   * Called with the group's key ({@link GroupState#key()}) and its new state whenever a group
   * changes (an alert put, a flush), and with null when the group is removed.
   */
  public void setGroupListener(BiConsumer<String, GroupState> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Adds {@code alert}, or updates the alert with its fingerprint (a resolved alert carries its
   * {@code endsAt}), in the group of every route it matches. While the alert it updates still
   * fires, the earlier {@code startsAt} is kept.
   */
  public void put(Alert alert, Instant now) {
    Objects.requireNonNull(alert, "alert");
    Objects.requireNonNull(now, "now");
    if (root == null) {
      return;
    }
    String fingerprint = alert.fingerprint();
    Alert merged = AlertVersions.merge(alerts.get(fingerprint), alert);
    alerts.put(fingerprint, merged);
    Set<String> changed = new LinkedHashSet<>();
    for (Route route : root.match(merged.labels())) {
      AggregationGroup group = group(route, merged.labels(), now, null);
      if (group.nextFlush == null) {
        // Alertmanager: an alert old enough is flushed at once instead of after group_wait.
        Instant wait = merged.startsAt().plus(route.groupWait());
        group.nextFlush = wait.isBefore(now) ? now : now.plus(route.groupWait());
      }
      hold(group, fingerprint, merged);
      changed.add(group.key());
    }
    for (String key : List.copyOf(holders.getOrDefault(fingerprint, Set.of()))) {
      AggregationGroup group = groups.get(key);
      if (group != null && !changed.contains(key)) {
        hold(group, fingerprint, merged); // routed there by an earlier configuration
        changed.add(key);
      }
    }
    changed.forEach(key -> listener.accept(key, groups.get(key).state()));
  }

  /** Flushes every group due at {@code now}, earliest first. */
  public void tick(Instant now) {
    Objects.requireNonNull(now, "now");
    List<AggregationGroup> due =
        groups.values().stream()
            .filter(g -> !g.nextFlush.isAfter(now))
            .sorted(
                Comparator.comparing((AggregationGroup g) -> g.nextFlush)
                    .thenComparing(AggregationGroup::key))
            .toList();
    if (due.isEmpty()) {
      return;
    }
    for (AggregationGroup group : due) {
      flush(group, now);
    }
    forgetUngroupedAlerts();
  }

  /** The earliest time {@link #tick} has something to do; null when there is no group. */
  public Instant nextDue() {
    return groups.values().stream()
        .map(g -> g.nextFlush)
        .min(Comparator.naturalOrder())
        .orElse(null);
  }

  /** A snapshot of every group, by key. */
  public List<GroupState> groups() {
    return groups.values().stream().map(AggregationGroup::state).toList();
  }

  /** Every alert in some group, by fingerprint. */
  public List<Alert> alerts() {
    return alerts.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(Map.Entry::getValue)
        .toList();
  }

  /**
   * Takes back groups from {@link #groups()} of an earlier run, so that what was already sent is
   * not sent again. A group whose route still exists (same id, receiver and grouping) continues as
   * it was; the alerts of any other group are routed through the current tree into groups that keep
   * the old flush time but have sent nothing yet, and its key is reported removed to the listener.
   * Set the listener first.
   */
  public void restore(Collection<GroupState> states) {
    Map<String, Alert> latest = new HashMap<>();
    for (GroupState state : states) {
      for (Alert alert : state.alerts()) {
        latest.merge(alert.fingerprint(), alert, AlertVersions::later);
      }
    }
    List<GroupState> rerouted = new ArrayList<>();
    for (GroupState state : states) {
      Route route = routesById.get(state.routeId());
      if (route != null
          && !state.alerts().isEmpty()
          && route.receiver().equals(state.receiver())
          && route.groupKey(state.groupLabels()).equals(state.groupKey())
          && state.alerts().stream()
              .allMatch(a -> route.groupLabels(a.labels()).equals(state.groupLabels()))) {
        AggregationGroup group = AggregationGroup.restored(route, state);
        for (Alert alert : state.alerts()) {
          Alert a = latest.get(alert.fingerprint());
          hold(group, alert.fingerprint(), a);
          alerts.put(alert.fingerprint(), a);
        }
        groups.put(group.key(), group);
      } else {
        rerouted.add(state);
      }
    }
    for (GroupState state : rerouted) {
      Set<String> changed = new LinkedHashSet<>();
      for (Alert alert : state.alerts()) {
        Alert a = latest.get(alert.fingerprint());
        if (root == null) {
          continue;
        }
        alerts.put(alert.fingerprint(), a);
        for (Route route : root.match(a.labels())) {
          Instant createdAt = Objects.requireNonNullElse(state.createdAt(), Instant.EPOCH);
          AggregationGroup group =
              group(
                  route,
                  a.labels(),
                  createdAt,
                  Objects.requireNonNullElse(state.nextFlush(), createdAt));
          hold(group, alert.fingerprint(), a);
          changed.add(group.key());
        }
      }
      if (!changed.contains(state.key()) && !groups.containsKey(state.key())) {
        listener.accept(state.key(), null);
      }
      changed.forEach(key -> listener.accept(key, groups.get(key).state()));
    }
  }

  /**
   * Why {@code alert} is not notified at {@code now}, for the UI: {@code silenced by ID[, ID]} or
   * {@code inhibited by FINGERPRINT} (the inhibiting alert); empty when it is not muted.
   */
  public Optional<String> mutedBy(Alert alert, Instant now) {
    return muting.mutedBy(alert, alerts.values(), now);
  }

  // ---- internals

  private AggregationGroup group(
      Route route, Map<String, String> labels, Instant createdAt, Instant nextFlush) {
    Map<String, String> groupLabels = route.groupLabels(labels);
    String key = GroupState.key(route.receiver(), route.groupKey(groupLabels));
    AggregationGroup group = groups.get(key);
    if (group == null) {
      group = new AggregationGroup(route, groupLabels, createdAt);
      group.nextFlush = nextFlush;
      groups.put(key, group);
    }
    return group;
  }

  private void flush(AggregationGroup group, Instant now) {
    Route route = group.route;
    group.nextFlush = now.plus(route.groupInterval());
    List<Alert> current = List.copyOf(group.alerts.values());
    List<Alert> firing = new ArrayList<>();
    List<Alert> resolved = new ArrayList<>();
    for (Alert alert : current) {
      if (muting.muted(alert, alerts.values(), now)) {
        continue;
      }
      if (alert.resolvedAt(now)) {
        resolved.add(alert);
      } else {
        // As Alertmanager: a firing alert goes out without an end, so it does not resolve later.
        firing.add(
            new Alert(
                alert.labels(), alert.annotations(), alert.startsAt(), null, alert.generatorUrl()));
      }
    }
    ReceiverConfig receiver = receivers.get(route.receiver());
    boolean delivered = true;
    if (receiver != null
        && receiver.integrations() > 0
        && !(firing.isEmpty() && resolved.isEmpty())) {
      delivered = notify(group, receiver, firing, resolved, now);
    }
    if (delivered) {
      // Resolved alerts were notified (or needed not be): they leave the group.
      for (Alert alert : current) {
        if (alert.resolvedAt(now)) {
          release(group, alert.fingerprint());
        }
      }
    }
    if (group.alerts.isEmpty()) {
      groups.remove(group.key());
      listener.accept(group.key(), null);
    } else {
      listener.accept(group.key(), group.state());
    }
  }

  /**
   * Alertmanager's deduplication and sending for one flush of {@code group}; false when {@link
   * #out} refused the notification.
   */
  private boolean notify(
      AggregationGroup group,
      ReceiverConfig receiver,
      List<Alert> firing,
      List<Alert> resolved,
      Instant now) {
    Set<String> firingSet = fingerprints(firing);
    Set<String> resolvedSet = fingerprints(resolved);
    boolean sendResolved = sendsResolved(receiver);
    if (!group.needsUpdate(firingSet, resolvedSet, sendResolved, now)) {
      return true;
    }
    if (firing.isEmpty() && !sendResolved) {
      // Alertmanager's RetryStage: no integration sends resolved alerts, so nothing goes out, but
      // the resolution is logged as notified.
      group.notified(now, firingSet, resolvedSet);
      return true;
    }
    long sequence = group.sequence + 1;
    firing.sort(ALERT_ORDER);
    resolved.sort(ALERT_ORDER);
    List<Alert> sent = new ArrayList<>(firing);
    if (sendResolved) {
      sent.addAll(resolved);
    }
    Notification notification =
        new Notification(
            group.notificationId(sequence, firingSet, resolvedSet),
            group.receiver(),
            group.groupKey,
            group.groupLabels,
            sent,
            now);
    try {
      out.accept(notification);
    } catch (RuntimeException e) {
      LOG.warn(
          "Notification {} for group {} of receiver {} was not taken; trying again in {}",
          notification.id(),
          group.groupKey,
          group.receiver(),
          group.route.groupInterval(),
          e);
      return false;
    }
    group.sequence = sequence;
    group.notified(now, firingSet, resolvedSet);
    return true;
  }

  /**
   * Whether the receiver sends resolved alerts: Alertmanager decides per integration; one
   * notification serves them all here, so any integration that sends them counts (each integration
   * still leaves out the resolved alerts when it does not send them).
   */
  private static boolean sendsResolved(ReceiverConfig receiver) {
    return receiver.slack().stream().anyMatch(ReceiverConfig.Slack::sendResolved)
        || receiver.mattermost().stream().anyMatch(ReceiverConfig.Mattermost::sendResolved)
        || receiver.discord().stream().anyMatch(ReceiverConfig.Discord::sendResolved)
        || receiver.webhooks().stream().anyMatch(ReceiverConfig.Webhook::sendResolved);
  }

  private void forgetUngroupedAlerts() {
    alerts.keySet().retainAll(holders.keySet());
  }

  /** Puts {@code alert} in {@code group} and records that the group holds it. */
  private void hold(AggregationGroup group, String fingerprint, Alert alert) {
    group.alerts.put(fingerprint, alert);
    holders.computeIfAbsent(fingerprint, k -> new HashSet<>()).add(group.key());
  }

  /** Takes the alert out of {@code group}. */
  private void release(AggregationGroup group, String fingerprint) {
    group.alerts.remove(fingerprint);
    Set<String> keys = holders.get(fingerprint);
    if (keys != null) {
      keys.remove(group.key());
      if (keys.isEmpty()) {
        holders.remove(fingerprint);
      }
    }
  }

  private static Set<String> fingerprints(List<Alert> alerts) {
    Set<String> out = new TreeSet<>();
    alerts.forEach(a -> out.add(a.fingerprint()));
    return out;
  }
}
