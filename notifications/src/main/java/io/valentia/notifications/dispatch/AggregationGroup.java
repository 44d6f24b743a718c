package io.valentia.notifications.dispatch;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.route.Route;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One aggregation group of the {@link Dispatcher}: its route, labels and alerts, when it is flushed
 * next, and what its last notification held, with Alertmanager's deduplication ({@link
 * #needsUpdate}) and the stable id of each notification. Mutable, owned by the dispatcher.
 */
final class AggregationGroup {
  final Route route;
  final Map<String, String> groupLabels;
  final String groupKey;
  final String key;
  final Instant createdAt;
  final Map<String, Alert> alerts = new TreeMap<>();
  Instant nextFlush;
  Instant lastNotified;
  Set<String> lastFiring = new TreeSet<>();
  Set<String> lastResolved = new TreeSet<>();
  long sequence;

  AggregationGroup(Route route, Map<String, String> groupLabels, Instant createdAt) {
    this.route = route;
    this.groupLabels = Map.copyOf(groupLabels);
    this.groupKey = route.groupKey(groupLabels);
    this.key = GroupState.key(route.receiver(), groupKey);
    this.createdAt = createdAt;
  }

  String receiver() {
    return route.receiver();
  }

  void notified(Instant now, Set<String> firing, Set<String> resolved) {
    lastNotified = now;
    lastFiring = firing;
    lastResolved = resolved;
  }

  String key() {
    return key;
  }

  /** A group taken back from {@code state}, which {@code route} still has, as it was. */
  static AggregationGroup restored(Route route, GroupState state) {
    Instant createdAt = Objects.requireNonNullElse(state.createdAt(), Instant.EPOCH);
    AggregationGroup group = new AggregationGroup(route, state.groupLabels(), createdAt);
    group.nextFlush = Objects.requireNonNullElse(state.nextFlush(), createdAt);
    group.lastNotified = state.lastNotified();
    group.lastFiring = new TreeSet<>(state.lastFiring());
    group.lastResolved = new TreeSet<>(state.lastResolved());
    group.sequence = state.sequence();
    return group;
  }

  /** Alertmanager's {@code DedupStage.needsUpdate}. */
  boolean needsUpdate(Set<String> firing, Set<String> resolved, boolean sendResolved, Instant now) {
    if (lastNotified == null) {
      return !firing.isEmpty();
    }
    if (!lastFiring.containsAll(firing)) {
      return true;
    }
    if (firing.isEmpty()) {
      return !lastFiring.isEmpty();
    }
    if (sendResolved && !lastResolved.containsAll(resolved)) {
      return true;
    }
    return lastNotified.isBefore(now.minus(route.repeatInterval()));
  }

  /**
   * The same flush of the same group always gets the same id: the first 32 hex digits of the
   * SHA-256 of the receiver, the group key, when the group was created, the sequence number and the
   * alerts sent (so a group removed and created again never repeats an id).
   */
  String notificationId(long sequence, Set<String> firing, Set<String> resolved) {
    String text =
        receiver()
            + "|"
            + groupKey
            + "|"
            + createdAt
            + "|"
            + sequence
            + "|"
            + String.join(",", firing)
            + "|"
            + String.join(",", resolved);
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  GroupState state() {
    return new GroupState(
        route.receiver(),
        groupKey,
        route.id(),
        route.key(),
        groupLabels,
        List.copyOf(alerts.values()),
        createdAt,
        nextFlush,
        lastNotified,
        List.copyOf(lastFiring),
        List.copyOf(lastResolved),
        sequence);
  }
}
