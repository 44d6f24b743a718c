package io.valentia.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded broker's look for hanging transactions")
class HangingTransactionsIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "leaves a transaction that its coordinator holds open alone: it commits, and read_committed"
          + " readers get its records")
  void leavesOpenTransactionsAlone() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0);
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("repair", 2, (short) 1))).all().get();
      HangingTransactions transactions =
          new HangingTransactions(admin, TransactionRepair.OLDEST_TRANSACTION);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(
                  "bootstrap.servers",
                  broker.bootstrapServers(),
                  "transactional.id",
                  "repair-test",
                  "key.serializer",
                  StringSerializer.class,
                  "value.serializer",
                  StringSerializer.class))) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("repair", 0, "k", "first")).get();
        producer.send(new ProducerRecord<>("repair", 1, "k", "second")).get();

        assertThat(transactions.abortHanging()).isEmpty();

        producer.commitTransaction();
      }
      assertThat(readCommitted(broker.bootstrapServers()))
          .containsExactlyInAnyOrder("first", "second");
      assertThat(transactions.abortHanging()).isEmpty();
    }
  }

  private static List<String> readCommitted(String bootstrap) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "isolation.level",
                "read_committed",
                "key.deserializer",
                StringDeserializer.class,
                "value.deserializer",
                StringDeserializer.class))) {
      Set<TopicPartition> partitions =
          Set.of(new TopicPartition("repair", 0), new TopicPartition("repair", 1));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < 2 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
