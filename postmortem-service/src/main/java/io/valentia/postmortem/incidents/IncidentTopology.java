package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Incident detection as a Kafka Streams topology:
 *
 * <pre>
 * valentia.events (key: subject, 6 partitions; new records only for a new application id)
 *   → decode, event time
 *   ├ probe.frame.dropped     → sliding window per subject (frameWindow) "frame-bursts" ┐
 *   ├ KILL probe.syscall.denied → sliding window per subject (killWindow) "kill-denials" ├→ gate "burst-marks"
 *   └ other events: single-event rules; warnings, criticals and status commands pass   │
 *   → repartition "incident-signals" (1 partition) ←────────────────────────────────────┘
 *   → incident processor: stores "incidents", "incident-index"
 *   → valentia.events (incident.* events) and valentia.state.incidents (incident states)
 * </pre>
 *
 * <p>The burst rules run where the events are, one task per partition of {@code valentia.events}:
 * events are keyed by subject, so one subject's window is in one task. Correlation joins an event
 * to an incident that shares its subject <em>or</em> its experiment, and an incident gathers many
 * subjects and experiments; no single key partitions that relation, so every signal (a rule that
 * fired, a warning or critical event, a status command) goes through one partition, in which one
 * task at a time owns every incident. That stage sees only signals, not the whole stream, and keeps
 * the correlation exact; its limit is one task's throughput. Its task moves like any other when an
 * instance dies, restoring its stores from their changelogs.
 *
 * <p>The two burst windows are kept in memory and rebuilt from their changelogs at each start, a
 * read bounded by the windows' retention (a window changelog is compacted and deleted after the
 * retention plus {@code windowstore.changelog.additional.retention.ms}), not by the log. A
 * persistent window store would be kept on disk, but under {@code exactly_once_v2} Kafka Streams
 * 4.4 keeps a window store's committed offset inside its segments: a window store without a live
 * segment (no burst events within its retention, the usual case) has nowhere to keep it, so every
 * restart after a clean stop found the task "corrupted", wiped its state directory and restored
 * every store of the task from scratch, with an extra rebalance.
 *
 * <p>Event time: windows follow each event's {@code time}. An event later than the grace period
 * ({@code correlationWindow}) behind the newest event of its partition does not count toward a
 * burst.
 */
public final class IncidentTopology {
  static final String SIGNALS = "incident-signals";
  static final String FRAME_BURSTS = "frame-bursts";
  static final String KILL_DENIALS = "kill-denials";

  private static final Serde<String> KEYS = Serdes.String();
  private static final Serde<CloudEvent> EVENTS = new EventSerde();
  private static final Serde<BurstCount> BURSTS = new JsonSerde<>(BurstCount.class);
  private static final Serde<Signal> SIGNAL = new JsonSerde<>(Signal.class);

  private IncidentTopology() {}

  /**
   * The topology for {@code rules}.
   *
   * @param seed the incidents the processor starts from when its stores are new (the state table);
   *     called once, from a stream thread
   */
  public static Topology build(DetectionRules rules, Supplier<Collection<IncidentState>> seed) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(BurstGate.STORE),
            KEYS,
            new JsonSerde<>(BurstGate.Mark.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(IncidentProcessor.INCIDENTS),
            KEYS,
            new JsonSerde<>(IncidentState.class)));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(IncidentProcessor.INDEX),
            KEYS,
            new JsonSerde<>(IncidentProcessor.IndexEntry.class)));

    KStream<String, CloudEvent> events =
        builder.stream(
                Topics.EVENTS,
                Consumed.with(KEYS, Serdes.ByteArray())
                    .withOffsetResetPolicy(AutoOffsetReset.latest())
                    .withName("events"))
            .processValues(EventDecoder::new, Named.as("decode"));

    Duration grace = rules.correlationWindow();
    KStream<String, BurstGate.Update> frames =
        bursts(
            events.filter((k, e) -> Trigger.isFrameBurst(e), Named.as("frame-events")),
            FRAME_BURSTS,
            rules.frameWindow(),
            grace,
            BurstGate.Rule.FRAMES);
    KStream<String, BurstGate.Update> kills =
        bursts(
            events.filter((k, e) -> Trigger.isKillDenial(e), Named.as("kill-events")),
            KILL_DENIALS,
            rules.killWindow(),
            grace,
            BurstGate.Rule.KILLS);
    KStream<String, Signal> burstSignals =
        frames
            .merge(kills, Named.as("burst-updates"))
            .processValues(() -> new BurstGate(rules), Named.as("burst-gate"), BurstGate.STORE);

    KStream<String, Signal> singles =
        events
            .filter(
                (k, e) ->
                    !Trigger.isFrameBurst(e)
                        && !Trigger.isKillDenial(e)
                        && (e.severityOrInfo() != Severity.INFO
                            || IncidentDetector.isCommand(e)
                            || Trigger.single(e).isPresent()),
                Named.as("notable-events"))
            .mapValues(
                e ->
                    new Signal(
                        Trigger.single(e).orElse(null), EventCodec.instance().encodeToString(e)),
                Named.as("single-rules"));

    singles
        .merge(burstSignals, Named.as("signals"))
        .repartition(
            Repartitioned.<String, Signal>as(SIGNALS)
                .withKeySerde(KEYS)
                .withValueSerde(SIGNAL)
                .withNumberOfPartitions(1))
        .process(
            () -> new IncidentProcessor(rules, seed),
            Named.as("incident-processor"),
            IncidentProcessor.INCIDENTS,
            IncidentProcessor.INDEX)
        .to(
            (key, output, context) -> output.topic(),
            Produced.with(KEYS, Output.SERDE).withName("incident-outputs"));
    return builder.build();
  }

  private static KStream<String, BurstGate.Update> bursts(
      KStream<String, CloudEvent> events,
      String name,
      Duration window,
      Duration grace,
      BurstGate.Rule rule) {
    return events
        .groupByKey(Grouped.with(name + "-events", KEYS, EVENTS))
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(window, grace))
        .aggregate(
            BurstCount::empty,
            (subject, e, count) ->
                count.add(
                    e.time() != null ? e.time().toEpochMilli() : 0L,
                    e.id(),
                    rule == BurstGate.Rule.FRAMES ? 1 : Trigger.denials(e),
                    EventCodec.instance().encodeToString(e)),
            Named.as(name),
            Materialized.<String, BurstCount, WindowStore<Bytes, byte[]>>as(name)
                .withKeySerde(KEYS)
                .withValueSerde(BURSTS)
                .withCachingDisabled()
                .withStoreType(Materialized.StoreType.IN_MEMORY))
        .toStream(Named.as(name + "-windows"))
        .filter((w, count) -> count.endsWithLatest(w.window().end()), Named.as(name + "-own"))
        .map(
            (w, count) ->
                KeyValue.pair(w.key(), new BurstGate.Update(rule, w.window().start(), count)),
            Named.as(name + "-by-subject"));
  }

  /** CloudEvents as their JSON, validated when read. */
  private static final class EventSerde implements Serde<CloudEvent> {
    @Override
    public Serializer<CloudEvent> serializer() {
      return (topic, event) -> event == null ? null : EventCodec.instance().encode(event);
    }

    @Override
    public Deserializer<CloudEvent> deserializer() {
      return (topic, bytes) -> bytes == null ? null : EventCodec.instance().decode(bytes);
    }
  }
}
