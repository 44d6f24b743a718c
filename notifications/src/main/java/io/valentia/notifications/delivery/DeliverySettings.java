package io.valentia.notifications.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.Durations;
import io.valentia.notifications.receiver.Integration;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the outbox retries ({@code notifications.delivery}).
 *
 * @param initialBackoff {@code initial_backoff}: the wait after the first failed attempt (default
 *     1s); each further failure doubles it
 * @param maxBackoff {@code max_backoff}: the longest wait between attempts (default 5m)
 * @param giveUpAfter {@code give_up_after}: how long after it was recorded a notification is given
 *     up and dead-lettered (default 24h)
 * @param jitter {@code jitter}: each wait is drawn from {@code [w·(1−jitter), w]} so that receivers
 *     coming back are not hit by every sender at once (default 0.2; 0 for none)
 * @param ratePerSecond {@code rate_per_second}: at most this many requests per second to one
 *     integration, by kind (defaults: Slack and Mattermost 1, Discord 0.5, webhook 0 = no limit)
 * @param failingAfter {@code failing_after}: consecutive failed attempts after which an integration
 *     counts as failing and {@code NOTIFICATION_FAILING} is raised (default 3)
 */
public record DeliverySettings(
    Duration initialBackoff,
    Duration maxBackoff,
    Duration giveUpAfter,
    double jitter,
    Map<Integration.Kind, Double> ratePerSecond,
    int failingAfter) {

  private static final Set<String> KEYS =
      Set.of(
          "initial_backoff",
          "max_backoff",
          "give_up_after",
          "jitter",
          "rate_per_second",
          "failing_after");

  public DeliverySettings {
    Map<Integration.Kind, Double> rates = new EnumMap<>(DEFAULT_RATES);
    if (ratePerSecond != null) {
      rates.putAll(ratePerSecond);
    }
    ratePerSecond = Map.copyOf(rates);
  }

  private static final Map<Integration.Kind, Double> DEFAULT_RATES =
      Map.of(
          Integration.Kind.SLACK, 1.0,
          Integration.Kind.MATTERMOST, 1.0,
          Integration.Kind.DISCORD, 0.5,
          Integration.Kind.WEBHOOK, 0.0);

  /** The defaults: 1s, 5m, 24h, jitter 0.2, the default rates, failing after 3. */
  public static DeliverySettings defaults() {
    return new DeliverySettings(
        Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(24), 0.2, null, 3);
  }

  /**
   * Reads {@code notifications.delivery}; a missing or null node gives {@link #defaults()}.
   *
   * @param problems where every bad or unknown key is described; the defaults stand in for them
   */
  public static DeliverySettings parse(JsonNode node, List<String> problems) {
    DeliverySettings d = defaults();
    if (node == null || node.isMissingNode() || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      problems.add("notifications.delivery must be a mapping");
      return d;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        problems.add(
            "notifications.delivery." + key + " is not a known key (known: " + known() + ")");
      }
    }
    Duration initial = duration(node, "initial_backoff", d.initialBackoff(), problems);
    Duration max = duration(node, "max_backoff", d.maxBackoff(), problems);
    Duration giveUp = duration(node, "give_up_after", d.giveUpAfter(), problems);
    if (max.compareTo(initial) < 0) {
      problems.add(
          "notifications.delivery.max_backoff ("
              + max
              + ") is shorter than initial_backoff ("
              + initial
              + ")");
      max = initial;
    }
    double jitter = d.jitter();
    JsonNode j = node.get("jitter");
    if (j != null) {
      if (!j.isNumber() || j.asDouble() < 0 || j.asDouble() > 1) {
        problems.add("notifications.delivery.jitter must be a number from 0 to 1, found " + j);
      } else {
        jitter = j.asDouble();
      }
    }
    int failingAfter = d.failingAfter();
    JsonNode f = node.get("failing_after");
    if (f != null) {
      if (!f.canConvertToInt() || !f.isIntegralNumber() || f.asInt() < 1) {
        problems.add("notifications.delivery.failing_after must be a whole number of 1 or more");
      } else {
        failingAfter = f.asInt();
      }
    }
    Map<Integration.Kind, Double> rates = new EnumMap<>(d.ratePerSecond());
    JsonNode r = node.get("rate_per_second");
    if (r != null) {
      if (!r.isObject()) {
        problems.add(
            "notifications.delivery.rate_per_second must map an integration kind (slack,"
                + " mattermost, discord, webhook) to requests per second");
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          var kind = Integration.Kind.of(e.getKey());
          if (kind.isEmpty()) {
            problems.add(
                "notifications.delivery.rate_per_second."
                    + e.getKey()
                    + " is not an integration kind (slack, mattermost, discord, webhook)");
          } else if (!e.getValue().isNumber() || e.getValue().asDouble() < 0) {
            problems.add(
                "notifications.delivery.rate_per_second."
                    + e.getKey()
                    + " must be a number of 0 (no limit) or more");
          } else {
            rates.put(kind.get(), e.getValue().asDouble());
          }
        }
      }
    }
    return new DeliverySettings(initial, max, giveUp, jitter, rates, failingAfter);
  }

  /** The shortest time between two requests to one integration of {@code kind}; zero for none. */
  public Duration minInterval(Integration.Kind kind) {
    double rate = ratePerSecond.getOrDefault(kind, 0.0);
    return rate <= 0 ? Duration.ZERO : Duration.ofNanos((long) (1_000_000_000L / rate));
  }

  /**
   * The wait after failed attempt number {@code attempt} (1 for the first): {@code
   * initialBackoff·2^(attempt−1)}, at most {@code maxBackoff}, less up to {@code jitter} of it.
   *
   * @param random a number in {@code [0, 1)}
   */
  public Duration backoff(int attempt, double random) {
    Duration wait = initialBackoff;
    for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    if (wait.compareTo(maxBackoff) > 0) {
      wait = maxBackoff;
    }
    long nanos = wait.toNanos();
    return Duration.ofNanos(nanos - (long) (nanos * jitter * random));
  }

  private static String known() {
    return String.join(", ", KEYS.stream().sorted().toList());
  }

  private static Duration duration(
      JsonNode node, String key, Duration fallback, List<String> problems) {
    JsonNode v = node.get(key);
    if (v == null) {
      return fallback;
    }
    Duration d = v.isTextual() ? parseDuration(v.asText()) : null;
    if (d == null || d.isZero()) {
      problems.add(
          "notifications.delivery."
              + key
              + " must be a positive duration such as 500ms, 30s, 5m, 24h or 1h30m, found "
              + v);
      return fallback;
    }
    return d;
  }

  /** A duration ({@link Durations}); null when {@code text} is not one. */
  static Duration parseDuration(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
