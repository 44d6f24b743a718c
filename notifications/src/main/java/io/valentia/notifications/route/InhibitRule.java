package io.valentia.notifications.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An inhibition rule ({@code inhibit_rules:}), as Alertmanager's: while an alert matching {@link
 * #sourceMatchers()} fires, alerts matching {@link #targetMatchers()} that carry the same values of
 * the {@link #equal()} labels are muted (a label missing on both sides counts as equal).
 *
 * @param name {@code name}; may be null
 * @param sourceMatchers from {@code source_matchers}, {@code source_match} and {@code
 *     source_match_re}, sorted
 * @param targetMatchers from {@code target_matchers}, {@code target_match} and {@code
 *     target_match_re}, sorted
 * @param equal the labels whose values must be equal on source and target
 */
public record InhibitRule(
    String name, List<Matcher> sourceMatchers, List<Matcher> targetMatchers, Set<String> equal) {

  public InhibitRule {
    sourceMatchers = sorted(sourceMatchers);
    targetMatchers = sorted(targetMatchers);
    equal = Collections.unmodifiableSet(new TreeSet<>(equal));
  }

  private static List<Matcher> sorted(List<Matcher> matchers) {
    List<Matcher> copy = new ArrayList<>(matchers);
    Collections.sort(copy);
    return List.copyOf(copy);
  }

  /** Whether {@code labels} are on the source side. */
  public boolean matchesSource(Map<String, String> labels) {
    return Matcher.all(sourceMatchers, labels);
  }

  /** Whether {@code labels} are on the target side. */
  public boolean matchesTarget(Map<String, String> labels) {
    return Matcher.all(targetMatchers, labels);
  }

  /**
   * Whether {@code a} and {@code b} have the same value (or none) for each {@link #equal()} label.
   */
  public boolean equalLabels(Map<String, String> a, Map<String, String> b) {
    for (String label : equal) {
      if (!a.getOrDefault(label, "").equals(b.getOrDefault(label, ""))) {
        return false;
      }
    }
    return true;
  }
}
