package io.valentia.chaos.journal;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.ChaosFault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault journal on Kafka. What is open lives in {@code valentia.state.faults}, keyed by fault
 * id: the {@code applying} record with its undo is put there, and read back, before the fault
 * touches anything; a {@code revert-failed} outcome updates it (keeping the undo, so a later
 * recovery tries again); a {@code reverted} one removes it (a tombstone). Every record also goes to
 * {@code valentia.control} as a {@code chaos.fault} event keyed {@code fault/ID}: the audit of who
 * applied and who reverted what (the state table forgets a fault once it is reverted); nothing
 * reads it back, so a record that does not get there is logged and stops nothing.
 *
 * <p>Blocks the calling thread (a run's thread, never an event loop). Thread-safe.
 */
public final class KafkaFaultJournal implements FaultJournal, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaFaultJournal.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final StateTable<ChaosFault> faults;
  private final KafkaProducer<byte[], byte[]> audit;
  private final String source;

  /**
   * @param faults the state table of open faults (restored or not: writes wait for Kafka anyway)
   * @param source the CloudEvents source of the audit records, e.g. {@code /chaos/host-1}
   */
  public KafkaFaultJournal(KafkaSettings kafka, StateTable<ChaosFault> faults, String source) {
    Map<String, Object> props = kafka.commonClientProperties("chaos-fault-audit");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    this.audit = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.faults = faults;
    this.source = source;
  }

  /** The audit record key of a fault on valentia.control. */
  public static String key(String faultId) {
    return "fault/" + faultId;
  }

  @Override
  public void applying(ChaosFault record) {
    try {
      faults.put(record.faultId(), record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotRecordedException("interrupted while recording " + record.fault(), e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new NotRecordedException(
          "cannot record "
              + record.fault()
              + " in "
              + Topics.STATE_FAULTS
              + " before applying it: "
              + cause,
          cause);
    }
    sendAudit(record);
  }

  @Override
  public void settled(ChaosFault record) {
    try {
      CompletableFuture<Void> stored = store(record);
      if (stored != null) {
        stored.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "fault {} ({}) is {} but {} could not be told: {}",
          record.faultId(),
          record.fault(),
          record.state(),
          Topics.STATE_FAULTS,
          e.toString());
    }
    sendAudit(record);
  }

  /** The state write for a settled record; null when there is nothing to write. */
  private CompletableFuture<Void> store(ChaosFault record) {
    if (ChaosFault.REVERTED.equals(record.state())) {
      return faults.remove(record.faultId());
    }
    Map<String, ChaosFault> open = new HashMap<>();
    faults.get(record.faultId()).ifPresent(applied -> open.put(record.faultId(), applied));
    OpenFaults.apply(open, record);
    ChaosFault updated = open.get(record.faultId());
    return updated == null ? null : faults.put(record.faultId(), updated);
  }

  /**
   * Sends the audit record and waits for it, so the audit is in order with what happens; a record
   * that is lost is logged and stops nothing (the state table is what recovery needs).
   */
  private void sendAudit(ChaosFault record) {
    try {
      var event = CloudEvent.of(record).source(source).subject(key(record.faultId()));
      if (record.runId() != null) {
        event.experimentId(record.runId());
      }
      audit
          .send(
              new ProducerRecord<>(
                  Topics.CONTROL,
                  key(record.faultId()).getBytes(StandardCharsets.UTF_8),
                  EventCodec.instance().encode(event.build())))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "the audit record of fault {} ({}) did not reach {}: {}",
          record.faultId(),
          record.state(),
          Topics.CONTROL,
          e.toString());
    }
  }

  /** Sends the audit records still in flight (up to 2 s) and closes the audit producer. */
  @Override
  public void close() {
    audit.close(Duration.ofSeconds(2));
  }
}
