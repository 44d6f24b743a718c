package io.valentia.chaos.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Durations;
import io.valentia.eventbus.EventCodec;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How a schedule fires.
 *
 * @param zone the time zone cron fields are read in
 * @param jitter each firing is delayed by a random amount up to this (zero for none)
 * @param blackouts daily windows ({@code 22:00-06:00}) in which nothing starts
 * @param concurrency what to do when the previous run is still going
 * @param missed what to do when firings were missed (the injector was down or stalled)
 * @param historyLimit how many past firings to remember
 * @param paused whether firing is paused: no next firing until it is resumed
 */
public record ScheduleOptions(
    ZoneId zone,
    Duration jitter,
    List<Blackout> blackouts,
    Concurrency concurrency,
    Missed missed,
    int historyLimit,
    boolean paused) {
  private static final Set<String> KEYS =
      Set.of("zone", "jitter", "blackouts", "concurrency", "missed", "historyLimit", "paused");

  /** When the previous run is still going. */
  public enum Concurrency {
    /** skip this firing */
    FORBID,
    /** start another run beside it */
    ALLOW,
    /** stop the previous run (its rollbacks run), then start */
    REPLACE
  }

  /** When firings were missed. */
  public enum Missed {
    /** skip them; wait for the next one */
    SKIP,
    /** run once now for all of them */
    RUN_ONCE
  }

  /** A daily window, possibly across midnight. */
  public record Blackout(LocalTime from, LocalTime to) {
    boolean covers(ZonedDateTime t) {
      LocalTime time = t.toLocalTime();
      return from.isBefore(to)
          ? !time.isBefore(from) && time.isBefore(to)
          : !time.isBefore(from) || time.isBefore(to);
    }

    @Override
    public String toString() {
      return from + "-" + to;
    }

    static Blackout parse(String text) {
      String[] parts = text.trim().split("-");
      if (parts.length != 2) {
        throw new DateTimeException("a blackout is HH:MM-HH:MM, found " + text);
      }
      return new Blackout(LocalTime.parse(parts[0].trim()), LocalTime.parse(parts[1].trim()));
    }
  }

  public static ScheduleOptions defaults() {
    return new ScheduleOptions(
        ZoneId.of("UTC"), Duration.ZERO, List.of(), Concurrency.FORBID, Missed.SKIP, 20, false);
  }

  /** These options, paused or resumed. */
  public ScheduleOptions withPaused(boolean paused) {
    return new ScheduleOptions(zone, jitter, blackouts, concurrency, missed, historyLimit, paused);
  }

  /** Whether {@code t} is in a blackout window. */
  public boolean blackedOut(ZonedDateTime t) {
    ZonedDateTime local = t.withZoneSameInstant(zone);
    return blackouts.stream().anyMatch(b -> b.covers(local));
  }

  /** Reads options written as JSON; every problem goes to {@code problems}. */
  public static ScheduleOptions read(JsonNode node, List<String> problems) {
    ScheduleOptions d = defaults();
    if (node == null || node.isMissingNode() || node.isNull()) {
      return d;
    }
    node.fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                problems.add(k + ": unknown schedule option");
              }
            });
    ZoneId zone = d.zone();
    if (node.has("zone")) {
      try {
        zone = ZoneId.of(node.get("zone").asText());
      } catch (DateTimeException e) {
        problems.add("zone: not a time zone: " + node.get("zone").asText());
      }
    }
    Duration jitter = d.jitter();
    if (node.has("jitter")) {
      jitter =
          Durations.parse(node.get("jitter"))
              .orElseGet(
                  () -> {
                    problems.add("jitter: not a duration: " + node.get("jitter"));
                    return Duration.ZERO;
                  });
    }
    List<Blackout> blackouts = new ArrayList<>();
    for (JsonNode b : node.path("blackouts")) {
      try {
        blackouts.add(Blackout.parse(b.asText()));
      } catch (DateTimeException e) {
        problems.add("blackouts: " + e.getMessage());
      }
    }
    Concurrency concurrency = d.concurrency();
    if (node.has("concurrency")) {
      try {
        concurrency =
            Concurrency.valueOf(node.get("concurrency").asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add("concurrency: must be forbid, allow or replace");
      }
    }
    Missed missed = d.missed();
    if (node.has("missed")) {
      try {
        missed =
            Missed.valueOf(node.get("missed").asText().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        problems.add("missed: must be skip or run-once");
      }
    }
    int history = d.historyLimit();
    if (node.has("historyLimit")) {
      if (!node.get("historyLimit").canConvertToInt() || node.get("historyLimit").asInt() < 1) {
        problems.add("historyLimit: must be a positive integer");
      } else {
        history = node.get("historyLimit").asInt();
      }
    }
    boolean paused = d.paused();
    if (node.has("paused")) {
      if (!node.get("paused").isBoolean()) {
        problems.add("paused: must be true or false");
      } else {
        paused = node.get("paused").asBoolean();
      }
    }
    return new ScheduleOptions(
        zone, jitter, List.copyOf(blackouts), concurrency, missed, history, paused);
  }

  /** The options as JSON (what {@link #read} reads). */
  public ObjectNode toJson() {
    ObjectNode json = EventCodec.MAPPER.createObjectNode();
    json.put("zone", zone.getId());
    json.put("jitter", jitter.toMillis() + "ms");
    blackouts.forEach(b -> json.withArray("blackouts").add(b.toString()));
    json.put("concurrency", concurrency.name().toLowerCase(Locale.ROOT));
    json.put("missed", missed.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    json.put("historyLimit", historyLimit);
    if (paused) {
      json.put("paused", true);
    }
    return json;
  }
}
