package io.valentia.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.security.KafkaRole;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
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
  /** Kafka's longest transaction (transaction.max.timeout.ms), with the repair's margin. */
  private static final Duration LONGEST = Duration.ofMinutes(15).plusSeconds(30);

  @TempDir Path dir;

  @Test
  @DisplayName(
      "leaves a transaction that its coordinator holds open alone: it commits, and read_committed"
          + " readers get its records")
  void leavesOpenTransactionsAlone() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0);
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("repair", 2, (short) 1))).all().get();
      HangingTransactions transactions = new HangingTransactions(admin, LONGEST);
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

  /**
   * The Kafka data of a platform whose restarts after a SIGKILL never came up again: its restarted
   * broker completed a transaction of incident detection (producer 3, epoch 20) without writing the
   * markers on six partitions (of {@code valentia.events}, the Streams topics and {@code
   * __consumer_offsets}). Kept as it was left, with its credentials.
   */
  private static final String CRASHED = "/hanging/crashed-platform-kafka.tar.gz";

  @Test
  @DisplayName(
      "finds and aborts the transactions a crash restart left open, after which incident"
          + " detection's committed offsets can be read again")
  void abortsWhatACrashLeftOpen() throws Exception {
    Path data = extract(CRASHED, dir.resolve("crashed"));
    KafkaCredentials credentials = KafkaCredentials.find(data).orElseThrow();
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.startWithoutTransactionRepair(data.resolve("kafka"), credentials);
        Admin admin = admin(broker, credentials)) {
      assertThat(committedReadable(broker, credentials, Duration.ofSeconds(3)))
          .as("the committed offsets of incident detection can be read, before")
          .isFalse();
      assertThat(lastStableOffset(broker, credentials))
          .as("read_committed readers stop where the open transaction begins")
          .isEqualTo(52)
          .isLessThan(logEnd(admin));

      List<HangingTransactions.Open> aborted =
          new HangingTransactions(admin, LONGEST).abortHanging();

      assertThat(aborted)
          .extracting(
              open -> open.partition().toString(),
              open -> open.producer().producerId(),
              open -> open.producer().producerEpoch())
          .containsExactlyInAnyOrder(
              tuple("valentia.events-1", 3L, 20),
              tuple("valentia.state.incidents-0", 3L, 20),
              tuple("valentia-incidents-incidents-changelog-0", 3L, 20),
              tuple("valentia-incidents-incident-index-changelog-0", 3L, 20),
              tuple("valentia-incidents-incident-signals-repartition-0", 3L, 20),
              tuple("__consumer_offsets-2", 3L, 20));
      assertThat(committedReadable(broker, credentials, Duration.ofSeconds(30)))
          .as("the committed offsets of incident detection can be read, after")
          .isTrue();
      assertThat(lastStableOffset(broker, credentials)).isEqualTo(logEnd(admin));
      assertThat(new HangingTransactions(admin, LONGEST).abortHanging()).isEmpty();
    }
  }

  @Test
  @DisplayName("runs by itself in a broker started on the data a crash left")
  void repairsOnItsOwn() throws Exception {
    Path data = extract(CRASHED, dir.resolve("started"));
    KafkaCredentials credentials = KafkaCredentials.find(data).orElseThrow();
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(
                data.resolve("kafka"), BrokerAddress.loopback(0), credentials);
        Admin admin = admin(broker, credentials)) {
      assertThat(committedReadable(broker, credentials, Duration.ofSeconds(60)))
          .as("the committed offsets of incident detection can be read")
          .isTrue();
      assertThat(lastStableOffset(broker, credentials)).isEqualTo(logEnd(admin));
    }
  }

  private static Admin admin(EmbeddedKafkaBroker broker, KafkaCredentials credentials) {
    Map<String, Object> props = new HashMap<>(credentials.clientProperties(KafkaRole.ADMIN));
    props.put("bootstrap.servers", broker.bootstrapServers());
    return Admin.create(props);
  }

  private static final TopicPartition EVENTS_1 = new TopicPartition("valentia.events", 1);

  /**
   * Whether incident detection's committed offsets on {@code valentia.events} can be read within
   * {@code wait}, as Kafka Streams reads them (a {@code read_committed} consumer of its group,
   * which is refused while a transaction holds offsets of the group open).
   */
  private static boolean committedReadable(
      EmbeddedKafkaBroker broker, KafkaCredentials credentials, Duration wait) {
    try (KafkaConsumer<String, String> consumer = incidentDetection(broker, credentials)) {
      Set<TopicPartition> events = new HashSet<>();
      for (int p = 0; p < 6; p++) {
        events.add(new TopicPartition("valentia.events", p));
      }
      consumer.committed(events, wait);
      return true;
    } catch (org.apache.kafka.common.errors.TimeoutException refused) {
      return false;
    }
  }

  /** How far a {@code read_committed} reader may read {@code valentia.events-1}. */
  private static long lastStableOffset(EmbeddedKafkaBroker broker, KafkaCredentials credentials) {
    try (KafkaConsumer<String, String> consumer = incidentDetection(broker, credentials)) {
      return consumer.endOffsets(Set.of(EVENTS_1), Duration.ofSeconds(30)).get(EVENTS_1);
    }
  }

  private static long logEnd(Admin admin) throws Exception {
    return admin
        .listOffsets(Map.of(EVENTS_1, OffsetSpec.latest()))
        .partitionResult(EVENTS_1)
        .get()
        .offset();
  }

  private static KafkaConsumer<String, String> incidentDetection(
      EmbeddedKafkaBroker broker, KafkaCredentials credentials) {
    Map<String, Object> props = new HashMap<>(credentials.clientProperties(KafkaRole.ADMIN));
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("group.id", "valentia-incidents");
    props.put("isolation.level", "read_committed");
    props.put("key.deserializer", StringDeserializer.class);
    props.put("value.deserializer", StringDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  private static Path extract(String resource, Path into) throws Exception {
    Files.createDirectories(into);
    Path archive = into.resolve("data.tar.gz");
    try (InputStream in = HangingTransactionsIT.class.getResourceAsStream(resource)) {
      Files.copy(in, archive);
    }
    Process tar =
        new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", into.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as(output).isZero();
    return into;
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
