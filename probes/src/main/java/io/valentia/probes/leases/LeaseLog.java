package io.valentia.probes.leases;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.LeaseExpired;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The leases a lease service had granted and not yet seen end, read back from its own {@code
 * lease.*} events on valentia.events: the log is the record, so a restarted lessor knows who holds
 * what. Renewals are not events, so a restored lease starts a fresh term at the restart: its lessee
 * has one term to send its next heartbeat. Blocking: call it from a worker.
 */
final class LeaseLog {
  private static final Set<String> TYPES =
      Set.of(
          EventType.LEASE_GRANTED.type(),
          EventType.LEASE_REVOKED.type(),
          EventType.LEASE_EXPIRED.type());

  private LeaseLog() {}

  /** The leases granted by {@code source} that are still active, renewed at {@code now}. */
  static List<Lease> active(KafkaSettings settings, String source, Instant now) {
    Map<String, Lease> active = new LinkedHashMap<>();
    EventCodec codec = EventCodec.instance();
    var props = settings.commonClientProperties("lease-log");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(Topics.EVENTS, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(Topics.EVENTS, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String type = EventCodec.peekType(record.value());
          if (type == null || !TYPES.contains(type)) {
            continue;
          }
          CloudEvent event;
          try {
            event = codec.decode(record.value());
          } catch (InvalidEventException e) {
            continue; // the dead-letter gate reports it
          }
          if (!source.equals(event.source())) {
            continue;
          }
          Object payload = codec.payload(event).orElse(null);
          if (payload instanceof LeaseGranted g) {
            active.put(
                g.leaseId(),
                new Lease(
                    g.leaseId(),
                    g.resource(),
                    g.lessee(),
                    g.termMs(),
                    event.time() == null ? now : event.time(),
                    now,
                    now.plusMillis(g.termMs())));
          } else if (payload instanceof LeaseRevoked r) {
            active.remove(r.leaseId());
          } else if (payload instanceof LeaseExpired x) {
            active.remove(x.leaseId());
          }
        }
      }
      return List.copyOf(active.values());
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
  }
}
