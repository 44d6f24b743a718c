package io.valentia.notifications.alert;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One message for one receiver about one group of alerts: what the dispatcher hands to the outbox
 * when a group is flushed (after {@code group_wait}, a change after {@code group_interval}, a
 * repeat after {@code repeat_interval}, or its resolution).
 *
 * @param id stable and unique: the same flush of the same group always has the same id, so a
 *     receiver can deduplicate a retried delivery
 * @param receiver the receiver's name in the configuration
 * @param groupKey Alertmanager's group key: the route's path and the group labels, e.g. {@code
 *     {}/{severity="critical"}:{incident="inc-1"}}
 * @param groupLabels the values of the route's {@code group_by} labels for this group
 * @param alerts the group's alerts at the flush, firing first, then resolved
 * @param createdAt when the dispatcher flushed the group
 */
public record Notification(
    String id,
    String receiver,
    String groupKey,
    Map<String, String> groupLabels,
    List<Alert> alerts,
    Instant createdAt) {

  public Notification {
    groupLabels = Collections.unmodifiableSortedMap(new TreeMap<>(groupLabels));
    alerts = List.copyOf(alerts);
  }

  /** {@code firing} while any alert fires at the flush, else {@code resolved}. */
  public String status() {
    return alerts.stream().anyMatch(a -> !a.resolvedAt(createdAt)) ? "firing" : "resolved";
  }

  /** The alerts still firing at the flush. */
  public List<Alert> firing() {
    return alerts.stream().filter(a -> !a.resolvedAt(createdAt)).toList();
  }

  /** The alerts that had ended at the flush. */
  public List<Alert> resolved() {
    return alerts.stream().filter(a -> a.resolvedAt(createdAt)).toList();
  }

  /** The labels every alert of the group shares (Alertmanager's {@code commonLabels}). */
  public Map<String, String> commonLabels() {
    return common(alerts.stream().map(Alert::labels).toList());
  }

  /** The annotations every alert of the group shares ({@code commonAnnotations}). */
  public Map<String, String> commonAnnotations() {
    return common(alerts.stream().map(Alert::annotations).toList());
  }

  private static Map<String, String> common(List<Map<String, String>> maps) {
    if (maps.isEmpty()) {
      return Map.of();
    }
    Map<String, String> common = new TreeMap<>(maps.get(0));
    for (Map<String, String> m : maps.subList(1, maps.size())) {
      common.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
    }
    return Collections.unmodifiableMap(common);
  }
}
