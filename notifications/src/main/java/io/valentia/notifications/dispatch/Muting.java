package io.valentia.notifications.dispatch;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.route.Inhibitor;
import io.valentia.notifications.silence.Silence;
import io.valentia.notifications.silence.Silences;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether an alert is left out of a flush of the {@link Dispatcher}: silenced by a silence, or
 * inhibited by another alert under the inhibit rules.
 */
final class Muting {
  private final Silences silences;
  private final Inhibitor inhibitor;

  /**
   * @param silences consulted at each call; may change at any time
   */
  Muting(Silences silences, Inhibitor inhibitor) {
    this.silences = silences;
    this.inhibitor = inhibitor;
  }

  /** Whether {@code alert} is inhibited by one of {@code alerts} or silenced at {@code now}. */
  boolean muted(Alert alert, Collection<Alert> alerts, Instant now) {
    return inhibitor.inhibited(alert, alerts, now)
        || !silences.silencing(alert.labels(), now).isEmpty();
  }

  /**
   * Why {@code alert} is muted: {@code silenced by ID[, ID]} or {@code inhibited by FINGERPRINT};
   * empty when it is not.
   */
  Optional<String> mutedBy(Alert alert, Collection<Alert> alerts, Instant now) {
    List<Silence> silencing = silences.silencing(alert.labels(), now);
    if (!silencing.isEmpty()) {
      return Optional.of(
          "silenced by " + silencing.stream().map(Silence::id).collect(Collectors.joining(", ")));
    }
    return inhibitor
        .inhibitedBy(alert, alerts, now)
        .map(source -> "inhibited by " + source.fingerprint());
  }
}
