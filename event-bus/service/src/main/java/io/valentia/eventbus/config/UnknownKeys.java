package io.valentia.eventbus.config;

import java.util.SortedSet;

/**
 * What a key a section does not know is called, by {@link ConfigSection#checkKeys}: one place finds
 * unknown keys, each section keeps its wording.
 */
@FunctionalInterface
public interface UnknownKeys {

  /**
   * @param key the unknown key, relative to its section
   * @param known the section's keys
   * @return the problem, e.g. {@code unknown key (known: a, b)}
   */
  String message(String key, SortedSet<String> known);

  /** {@code unknown key (known: a, b, c)}. */
  static UnknownKeys listingKnown() {
    return (key, known) -> "unknown key (known: " + String.join(", ", known) + ")";
  }

  /**
   * {@code unknown key (did you mean b?)} when a known key is within two edits, else {@code unknown
   * key}.
   */
  static UnknownKeys suggesting() {
    return (key, known) -> {
      String best = null;
      int bestDistance = 3;
      for (String candidate : known) {
        int distance = distance(key, candidate);
        if (distance < bestDistance) {
          best = candidate;
          bestDistance = distance;
        }
      }
      return "unknown key" + (best == null ? "" : " (did you mean " + best + "?)");
    };
  }

  /** The Levenshtein distance of {@code a} and {@code b}. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
