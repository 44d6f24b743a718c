package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.broker.RestartableBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stops a broker of its own (never the shared test broker) and starts it again. */
class KafkaOutageIT {
  private static final String TOPIC = "outage-test";

  @Test
  @DisplayName(
      "kafka-outage stops the embedded broker so producers fail, then starts it again when its duration ends and a record sent after is consumed")
  void stopsAndRestartsTheBroker(@TempDir Path dir) throws Exception {
    try (RestartableBroker broker = RestartableBroker.start(dir.resolve("kafka"), 0)) {
      createTopic(broker.bootstrapServers());
      assertThat(send(broker.bootstrapServers(), "before")).isTrue();
      try (FaultInjector injector =
          new FaultInjector(
              FaultCatalog.standard(Optional.of(broker), Map.of()),
              Runs.allowing("hosts").policy())) {
        injector.inject(
            "run", "kafka-outage", EventCodec.MAPPER.readTree("{\"duration\": \"6s\"}"));

        assertThat(broker.running()).isFalse();
        assertThat(send(broker.bootstrapServers(), "during"))
            .as("a producer cannot deliver while the broker is down")
            .isFalse();

        await().atMost(Duration.ofSeconds(30)).until(broker::running);
        assertThat(injector.active()).isEmpty();
      }
      assertThat(send(broker.bootstrapServers(), "after")).isTrue();
      assertThat(readAll(broker.bootstrapServers())).contains("before", "after");
    }
  }

  @Test
  @DisplayName(
      "Halt-all ends a kafka-outage at once, without Kafka: the broker runs again and a second outage while one is active is refused")
  void haltRestartsTheBroker(@TempDir Path dir) throws Exception {
    try (RestartableBroker broker = RestartableBroker.start(dir.resolve("kafka"), 0);
        FaultInjector injector =
            new FaultInjector(
                FaultCatalog.standard(Optional.of(broker), Map.of()),
                Runs.allowing("hosts").policy())) {
      injector.inject("run", "kafka-outage", EventCodec.MAPPER.readTree("{\"duration\": \"5m\"}"));
      assertThatThrownBy(
              () ->
                  injector.inject(
                      "other",
                      "kafka-outage",
                      EventCodec.MAPPER.readTree("{\"duration\": \"1m\"}")))
          .isInstanceOf(FaultException.class)
          .hasMessageContaining("already stopped");

      assertThat(injector.revertAll("halt-all")).isEqualTo(1);

      assertThat(broker.running()).isTrue();
      createTopic(broker.bootstrapServers());
      assertThat(send(broker.bootstrapServers(), "after halt")).isTrue();
    }
  }

  @Test
  @DisplayName(
      "Without an embedded broker, a kafka-outage activity is a problem that says why and where it can run")
  void unavailableWithoutBroker() throws Exception {
    List<String> problems =
        FaultCatalog.standard()
            .check(
                "kafka-outage",
                Arguments.checking(EventCodec.MAPPER.readTree("{\"duration\": \"10s\"}")));
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("embedded Kafka broker")
        .contains("POST /api/v1/experiments/runs");
  }

  private static void createTopic(String bootstrap) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
        admin
            .createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                admin
                    .listOffsets(Map.of(partition, OffsetSpec.latest()))
                    .all()
                    .get(5, TimeUnit.SECONDS);
                return true;
              });
    }
  }

  /** Whether {@code value} was delivered within a few seconds. */
  private static boolean send(String bootstrap, String value) throws InterruptedException {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, value)).get(10, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> readAll(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
