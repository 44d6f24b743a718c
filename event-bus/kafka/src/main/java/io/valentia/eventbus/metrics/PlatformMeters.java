package io.valentia.eventbus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The platform's own meters, in one place with their names and tags. They live in Micrometer's
 * global registry, to which the process adds its Prometheus registry ({@code GET /metrics}); with
 * no registry added (a unit test, a CLI command) recording costs next to nothing and goes nowhere.
 *
 * <p>Prometheus names (Micrometer adds {@code _total} to counters):
 *
 * <ul>
 *   <li>{@code valentia_events_published_total{topic}}: records stored by Kafka for this process;
 *   <li>{@code valentia_events_consumed_total{topic,group}}: events a subscriber handled;
 *   <li>{@code valentia_dead_letters_total{reason,topic}}: records sent to the dead-letter topic;
 *   <li>{@code valentia_indexer_lag_records}: records on the log the search indexer has not read;
 *   <li>{@code valentia_live_streams}: live event streams open ({@code /api/v1/events/stream});
 *   <li>{@code valentia_faults_active}: chaos faults in force in this process;
 *   <li>{@code valentia_halts_total}: halts applied by this process's chaos injector.
 * </ul>
 *
 * Thread-safe.
 */
public final class PlatformMeters {
  public static final String EVENTS_PUBLISHED = "valentia.events.published";
  public static final String EVENTS_CONSUMED = "valentia.events.consumed";
  public static final String DEAD_LETTERS = "valentia.dead.letters";
  public static final String INDEXER_LAG = "valentia.indexer.lag";
  public static final String LIVE_STREAMS = "valentia.live.streams";
  public static final String FAULTS_ACTIVE = "valentia.faults.active";
  public static final String HALTS = "valentia.halts";

  /**
   * The per-record counters, built once per tag set: published and consumed are counted for every
   * record, and a registry lookup per record would cost more than the count.
   */
  private static final Map<String, Counter> PUBLISHED = new ConcurrentHashMap<>();

  private static final Map<List<String>, Counter> CONSUMED = new ConcurrentHashMap<>();

  /** Per gauge name: the objects it sums, each with how to read it. */
  private static final Map<String, List<Source>> SOURCES = new ConcurrentHashMap<>();

  /** One object a gauge sums, held weakly and told apart by identity (not equals). */
  private record Source(WeakReference<Object> owner, ToDoubleFunction<Object> value) {
    double read() {
      Object o = owner.get();
      return o == null ? 0 : value.applyAsDouble(o);
    }
  }

  private PlatformMeters() {}

  /** Kafka stored a record on {@code topic}. */
  public static void published(String topic) {
    PUBLISHED
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder(EVENTS_PUBLISHED)
                    .description("Records stored by Kafka for this process, by topic")
                    .tag("topic", t)
                    .register(Metrics.globalRegistry))
        .increment();
  }

  /**
   * A subscriber of consumer group {@code group} handled an event read from {@code topic}; a reader
   * without a group (a replay) counts as group {@code none}.
   */
  public static void consumed(String topic, String group) {
    String named = group == null ? "none" : group;
    CONSUMED
        .computeIfAbsent(
            List.of(topic, named),
            key ->
                Counter.builder(EVENTS_CONSUMED)
                    .description(
                        "Events handled by this process's subscribers, by topic and consumer group")
                    .tag("topic", topic)
                    .tag("group", named)
                    .register(Metrics.globalRegistry))
        .increment();
  }

  /** A record read from {@code topic} went to the dead-letter topic for {@code reason}. */
  public static void deadLettered(String reason, String topic) {
    Counter.builder(DEAD_LETTERS)
        .description("Records sent to the dead-letter topic, by reason and original topic")
        .tag("reason", reason)
        .tag("topic", topic)
        .register(Metrics.globalRegistry)
        .increment();
  }

  /** This process's chaos injector applied a halt. */
  public static void halted() {
    Counter.builder(HALTS)
        .description("Halts applied by this process's chaos injector")
        .register(Metrics.globalRegistry)
        .increment();
  }

  /**
   * Adds {@code owner}'s value to the gauge {@code name}, which sums every owner still tracked (one
   * process may run several, e.g. tests). The owner is held weakly and told apart by identity;
   * {@link #untrack} removes it at once.
   *
   * @param name one of {@link #INDEXER_LAG}, {@link #LIVE_STREAMS}, {@link #FAULTS_ACTIVE}
   * @param value reads the owner's value; must not keep a reference to the owner itself
   */
  @SuppressWarnings("unchecked")
  public static <T> void track(String name, T owner, ToDoubleFunction<T> value) {
    SOURCES
        .computeIfAbsent(
            name,
            n -> {
              List<Source> owners = new CopyOnWriteArrayList<>();
              Gauge.builder(n, owners, PlatformMeters::sum)
                  .description(description(n))
                  .baseUnit(INDEXER_LAG.equals(n) ? "records" : null)
                  .strongReference(true)
                  .register(Metrics.globalRegistry);
              return owners;
            })
        .add(new Source(new WeakReference<>(owner), (ToDoubleFunction<Object>) value));
  }

  /** Stops adding {@code owner}'s value to gauge {@code name}. */
  public static void untrack(String name, Object owner) {
    List<Source> owners = SOURCES.get(name);
    if (owners != null) {
      owners.removeIf(s -> s.owner().get() == owner || s.owner().get() == null);
    }
  }

  private static double sum(List<Source> owners) {
    owners.removeIf(s -> s.owner().get() == null);
    return owners.stream().mapToDouble(Source::read).sum();
  }

  private static String description(String name) {
    return switch (name) {
      case INDEXER_LAG -> "Records on the log the search indexer has not read yet";
      case LIVE_STREAMS -> "Live event streams open (GET /api/v1/events/stream)";
      case FAULTS_ACTIVE -> "Chaos faults in force in this process";
      default -> name;
    };
  }
}
