package io.valentia.postmortem.incidents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.security.KafkaRole;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incident detection (Kafka Streams, exactly once) signed in as the postmortem principal on the
 * secured embedded broker: its ACLs are enough for the internal topics, the transactions and the
 * incidents it writes.
 */
@DisplayName("Incident detection on the secured broker")
class SecuredIncidentsIT {

  @Test
  @DisplayName(
      "runs as the postmortem principal and opens an incident from events a probe principal wrote")
  void detectsAsThePostmortemPrincipal(@TempDir Path dir) throws Exception {
    KafkaCredentials credentials = KafkaCredentials.loadOrCreate(dir);
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0, credentials)) {
      new TopicProvisioner(settings(broker, credentials, KafkaRole.ADMIN))
          .ensureTopics(Duration.ofSeconds(60));
      KafkaSettings postmortem = settings(broker, credentials, KafkaRole.POSTMORTEM);
      String subject = "secured-loop-" + UUID.randomUUID();
      try (StateTables tables = new StateTables(postmortem);
          KafkaProducer<byte[], byte[]> probe = producer(broker, credentials)) {
        StateTable<IncidentState> table = tables.open(Topics.STATE_INCIDENTS, IncidentState.class);
        StateMigration.await(table.restored(), "read the incidents");
        try (IncidentStreams detection =
            IncidentStreams.start(
                postmortem,
                new IncidentStreams.Settings(
                    "valentia-incidents-secured-" + UUID.randomUUID(),
                    dir.resolve("streams"),
                    DetectionProcess.QUICK_TAKEOVER),
                DetectionRules.DEFAULT,
                () -> table.snapshot().values(),
                null)) {
          detection.running().get(3, TimeUnit.MINUTES);
          await()
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofSeconds(2))
              .until(
                  () -> {
                    CloudEvent event =
                        CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
                            .source("/probes/mtu/secured-it")
                            .subject(subject)
                            .build();
                    probe
                        .send(
                            new ProducerRecord<>(
                                Topics.EVENTS,
                                subject.getBytes(StandardCharsets.UTF_8),
                                EventCodec.instance().encode(event)))
                        .get(30, TimeUnit.SECONDS);
                    return table.snapshot().values().stream()
                        .anyMatch(i -> i.subjects().contains(subject));
                  });
          assertThat(detection.state().isRunningOrRebalancing()).isTrue();
        }
      }
    }
  }

  private static KafkaSettings settings(
      EmbeddedKafkaBroker broker, KafkaCredentials credentials, KafkaRole role) {
    return KafkaSettings.local(broker.bootstrapServers())
        .withClientProperties(credentials.clientProperties(role));
  }

  private static KafkaProducer<byte[], byte[]> producer(
      EmbeddedKafkaBroker broker, KafkaCredentials credentials) {
    Map<String, Object> props =
        new HashMap<>(settings(broker, credentials, KafkaRole.PROBES).commonClientProperties("p"));
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
