package io.valentia.notifications.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import io.valentia.notifications.receiver.Integration;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

  private static final Field<Duration> INITIAL_BACKOFF =
      duration("initial_backoff", Duration.ofSeconds(1))
          .withDescription("the wait after the first failed attempt; each failure doubles it");
  private static final Field<Duration> MAX_BACKOFF =
      duration("max_backoff", Duration.ofMinutes(5))
          .withDescription("the longest wait between attempts");
  private static final Field<Duration> GIVE_UP_AFTER =
      duration("give_up_after", Duration.ofHours(24))
          .withDescription("how long after it was recorded a notification is dead-lettered");
  private static final Field<Double> JITTER =
      Field.number("jitter")
          .withDefault(0.2)
          .validateAll(j -> j >= 0 && j <= 1, node -> "must be a number from 0 to 1, found " + node)
          .withDescription("each wait is drawn from [w(1-jitter), w]");
  private static final Field<JsonNode> RATE_PER_SECOND =
      Field.node("rate_per_second")
          .withDescription("at most this many requests per second to one integration, by kind");
  private static final Field<Integer> FAILING_AFTER =
      Field.integer("failing_after")
          .withDefault(3)
          .validateAll(n -> n >= 1, node -> "must be a whole number of 1 or more")
          .withDescription("consecutive failed attempts after which an integration is failing");
  private static final List<Field<?>> FIELDS =
      List.of(INITIAL_BACKOFF, MAX_BACKOFF, GIVE_UP_AFTER, JITTER, RATE_PER_SECOND, FAILING_AFTER);

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
   * @param problems where every bad or unknown key is described ({@code delivery.KEY: ...}, keys
   *     relative to {@code notifications}); the defaults stand in for them
   */
  public static DeliverySettings parse(JsonNode node, List<String> problems) {
    ConfigSection section = ConfigSection.of(node, "delivery", key -> null);
    DeliverySettings settings = read(section);
    problems.addAll(section.problemLines());
    return settings;
  }

  private static DeliverySettings read(ConfigSection section) {
    DeliverySettings d = defaults();
    if (section.isAbsent() || !section.isMapping("must be a mapping")) {
      return d;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    Duration initial = section.get(INITIAL_BACKOFF);
    Duration max = section.get(MAX_BACKOFF);
    Duration giveUp = section.get(GIVE_UP_AFTER);
    if (max.compareTo(initial) < 0) {
      section.problem(
          MAX_BACKOFF.name(), "(" + max + ") is shorter than initial_backoff (" + initial + ")");
      max = initial;
    }
    Map<Integration.Kind, Double> rates = new EnumMap<>(d.ratePerSecond());
    ConfigSection r = section.section(RATE_PER_SECOND.name());
    if (!r.isAbsent()
        && r.isMapping(
            "must map an integration kind (slack, mattermost, discord, webhook) to requests per"
                + " second")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = r.node().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        var kind = Integration.Kind.of(e.getKey());
        if (kind.isEmpty()) {
          r.problem(e.getKey(), "is not an integration kind (slack, mattermost, discord, webhook)");
        } else if (!e.getValue().isNumber() || e.getValue().asDouble() < 0) {
          r.problem(e.getKey(), "must be a number of 0 (no limit) or more");
        } else {
          rates.put(kind.get(), e.getValue().asDouble());
        }
      }
    }
    return new DeliverySettings(
        initial, max, giveUp, section.get(JITTER), rates, section.get(FAILING_AFTER));
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

  /** A positive duration written as a string ({@link Durations}); null when it is not one. */
  private static Field<Duration> duration(String name, Duration fallback) {
    return Field.of(
            name,
            node -> {
              if (!node.isTextual()) {
                throw new IllegalArgumentException("not a string");
              }
              return Durations.parse(node.asText());
            })
        .withDefault(fallback)
        .validateAll(
            d -> !d.isZero(),
            node ->
                "must be a positive duration such as 500ms, 30s, 5m, 24h or 1h30m, found " + node);
  }
}
