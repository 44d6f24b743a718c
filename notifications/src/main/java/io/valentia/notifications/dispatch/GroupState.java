package io.valentia.notifications.dispatch;

import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of one aggregation group: its alerts, when it is next flushed and what was last sent
 * for it (Alertmanager keeps the latter in its notification log). Immutable; serializes with
 * Jackson, so the service keeps each group in a compacted topic under {@link #key()} and hands them
 * back to {@link Dispatcher#restore} after a restart.
 *
 * @param receiver the receiver's name
 * @param groupKey Alertmanager's group key: {@code ROUTE_KEY:{label="value", ...}}
 * @param routeId the route's id ({@code Route.id()}): which route of the tree the group belongs to
 * @param routeKey the route's key ({@code Route.key()})
 * @param groupLabels the values of the route's {@code group_by} labels
 * @param alerts the group's alerts, by fingerprint
 * @param createdAt when the group was created (its first alert arrived)
 * @param nextFlush when the group is next flushed
 * @param lastNotified when a notification was last sent for the group; null before the first
 * @param lastFiring the fingerprints of the alerts firing in the last notification, sorted
 * @param lastResolved the fingerprints of the alerts resolved in the last notification, sorted
 * @param sequence how many notifications were sent for the group
 */
public record GroupState(
    String receiver,
    String groupKey,
    String routeId,
    String routeKey,
    Map<String, String> groupLabels,
    List<Alert> alerts,
    Instant createdAt,
    Instant nextFlush,
    Instant lastNotified,
    List<String> lastFiring,
    List<String> lastResolved,
    long sequence) {

  public GroupState {
    groupLabels = Collections.unmodifiableSortedMap(new TreeMap<>(groupLabels));
    alerts = List.copyOf(alerts);
    lastFiring = lastFiring == null ? List.of() : List.copyOf(lastFiring);
    lastResolved = lastResolved == null ? List.of() : List.copyOf(lastResolved);
  }

  /** The key of this group: {@code RECEIVER|GROUP_KEY}. */
  public String key() {
    return key(receiver, groupKey);
  }

  /** The key of the group {@code groupKey} of {@code receiver}: {@code RECEIVER|GROUP_KEY}. */
  public static String key(String receiver, String groupKey) {
    return receiver + "|" + groupKey;
  }
}
