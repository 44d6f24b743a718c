package io.valentia.chaos.safety;

import io.valentia.chaos.faults.FaultException;
import io.valentia.chaos.faults.Undo;
import io.valentia.chaos.journal.FaultJournal;
import io.valentia.chaos.journal.InjectorProcess;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.ChaosFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reverts what killed injectors of this host left behind, from the fault journal on {@code
 * valentia.control}: every fault whose last record is {@code applying} (or {@code revert-failed})
 * and whose injector process has ended is undone from the steps recorded before it was applied, and
 * a {@code reverted} (or {@code revert-failed}) record is written for it, so the next recovery
 * leaves it alone. Faults of injectors that still run, or of other hosts, are theirs. Safe to run
 * at every start; blocks (call it off the event loop).
 */
public final class FaultRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(FaultRecovery.class);

  private final KafkaSettings kafka;
  private final FaultJournal journal;
  private final String by;

  /**
   * @param journal where the outcome of each recovered fault is recorded
   * @param by who recovers, for the records, e.g. {@code /chaos/host-1}
   */
  public FaultRecovery(KafkaSettings kafka, FaultJournal journal, String by) {
    this.kafka = kafka;
    this.journal = journal;
    this.by = by;
  }

  /**
   * Reads the journal and reverts what ended injectors of this host left.
   *
   * @return one line per fault it reverted or failed to revert
   * @throws IllegalStateException when the control topic cannot be read to its end
   */
  public List<String> recover() {
    Map<String, ChaosFault> left = leftBehind(readJournal(), this::ended);
    List<String> lines = new ArrayList<>();
    for (ChaosFault fault : left.values()) {
      String what = fault.fault() + " " + fault.targets() + " of run " + fault.runId();
      String owner = "injector pid " + fault.pid() + " on " + fault.host();
      try {
        Undo.run(fault.undo());
        journal.settled(
            settled(fault, ChaosFault.REVERTED, "reverted by " + by + ": " + owner + " ended"));
        lines.add("reverted " + what + ", left by " + owner);
        LOG.warn("reverted {} left by {}", what, owner);
      } catch (FaultException e) {
        journal.settled(
            settled(fault, ChaosFault.REVERT_FAILED, "recovery by " + by + " failed: " + e));
        lines.add("could not revert " + what + ", left by " + owner + ": " + e.getMessage());
        LOG.error("could not revert {} left by {}: {}", what, owner, e.getMessage());
      }
    }
    return lines;
  }

  private boolean ended(ChaosFault fault) {
    return new InjectorProcess(fault.host(), fault.pid(), fault.processStart()).endedOnThisHost();
  }

  /**
   * The faults to recover: by fault id, the {@code applying} record (with its undo) of every fault
   * whose latest record is {@code applying} or {@code revert-failed} and whose injector {@code
   * ended}.
   *
   * @param records the journal in the order it was written (per fault)
   */
  static Map<String, ChaosFault> leftBehind(List<ChaosFault> records, Predicate<ChaosFault> ended) {
    Map<String, ChaosFault> applied = new LinkedHashMap<>();
    Map<String, String> latest = new LinkedHashMap<>();
    for (ChaosFault r : records) {
      if (ChaosFault.APPLYING.equals(r.state())) {
        applied.put(r.faultId(), r);
      }
      latest.put(r.faultId(), r.state());
    }
    Map<String, ChaosFault> out = new LinkedHashMap<>();
    applied.forEach(
        (id, r) -> {
          String state = latest.get(id);
          boolean open =
              ChaosFault.APPLYING.equals(state) || ChaosFault.REVERT_FAILED.equals(state);
          if (open && r.undo() != null && ended.test(r)) {
            out.put(id, r);
          }
        });
    return out;
  }

  private static ChaosFault settled(ChaosFault applied, String state, String detail) {
    InjectorProcess self = InjectorProcess.current();
    return new ChaosFault(
        applied.faultId(),
        applied.runId(),
        applied.fault(),
        state,
        applied.targets(),
        null,
        self.host(),
        self.pid(),
        self.start(),
        applied.until(),
        detail);
  }

  /** Every chaos.fault record on the control topic, from its beginning to its current end. */
  private List<ChaosFault> readJournal() {
    List<ChaosFault> records = new ArrayList<>();
    Map<String, Object> props = kafka.commonClientProperties("chaos-recovery");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(Topics.CONTROL, Duration.ofSeconds(10))
          .forEach(p -> partitions.add(new TopicPartition(Topics.CONTROL, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + Topics.CONTROL + " to its end in 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!EventType.CHAOS_FAULT.type().equals(EventCodec.peekType(r.value()))) {
            continue;
          }
          try {
            CloudEvent event = EventCodec.instance().decode(r.value());
            records.add(EventCodec.instance().payload(event, ChaosFault.class));
          } catch (InvalidEventException e) {
            // not a valid record: the dead-letter gate reports it
          }
        }
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
    return records;
  }
}
