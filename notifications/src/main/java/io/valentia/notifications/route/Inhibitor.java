package io.valentia.notifications.route;

import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Applies the inhibition rules, as Alertmanager's {@code inhibit.Inhibitor}: an alert is inhibited
 * when, for some rule, it matches the target side and some other alert that matches the source side
 * is still firing and has the same values of the rule's {@code equal} labels. When the alert
 * matches both sides of a rule, source alerts that also match both sides do not count, so alerts of
 * one kind never mute each other (nor an alert itself).
 *
 * <p>Immutable and thread-safe.
 */
public final class Inhibitor {
  private final List<InhibitRule> rules;

  public Inhibitor(List<InhibitRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /**
   * Whether {@code target} is inhibited at {@code now} by one of {@code alerts}.
   *
   * @param alerts the alerts known; those resolved at {@code now} are ignored
   */
  public boolean inhibited(Alert target, Collection<Alert> alerts, Instant now) {
    return inhibitedBy(target, alerts, now).isPresent();
  }

  /** The alert that inhibits {@code target} at {@code now}, if any (the first found). */
  public Optional<Alert> inhibitedBy(Alert target, Collection<Alert> alerts, Instant now) {
    for (InhibitRule rule : rules) {
      if (!rule.matchesTarget(target.labels())) {
        continue;
      }
      boolean excludeTwoSided = rule.matchesSource(target.labels());
      for (Alert source : alerts) {
        if (source.resolvedAt(now) || !rule.matchesSource(source.labels())) {
          continue;
        }
        if (!rule.equalLabels(source.labels(), target.labels())) {
          continue;
        }
        if (excludeTwoSided && rule.matchesTarget(source.labels())) {
          continue;
        }
        return Optional.of(source);
      }
    }
    return Optional.empty();
  }

  public List<InhibitRule> rules() {
    return rules;
  }
}
