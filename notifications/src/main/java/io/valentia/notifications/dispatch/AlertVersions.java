package io.valentia.notifications.dispatch;

import io.valentia.notifications.alert.Alert;

/** Which version of one alert (one fingerprint) the {@link Dispatcher} keeps. */
final class AlertVersions {
  private AlertVersions() {}

  /** The alert {@code incoming} updates {@code existing} to. */
  static Alert merge(Alert existing, Alert incoming) {
    if (existing == null) {
      return incoming;
    }
    boolean sameEpisode =
        existing.endsAt() == null || existing.endsAt().isAfter(incoming.startsAt());
    if (sameEpisode && existing.startsAt().isBefore(incoming.startsAt())) {
      return new Alert(
          incoming.labels(),
          incoming.annotations(),
          existing.startsAt(),
          incoming.endsAt(),
          incoming.generatorUrl());
    }
    return incoming;
  }

  /** Of two copies of one alert in restored groups, the later: started later, or ended. */
  static Alert later(Alert a, Alert b) {
    int byStart = a.startsAt().compareTo(b.startsAt());
    if (byStart != 0) {
      return byStart > 0 ? a : b;
    }
    if (a.endsAt() == null) {
      return b;
    }
    if (b.endsAt() == null) {
      return a;
    }
    return a.endsAt().isAfter(b.endsAt()) ? a : b;
  }
}
