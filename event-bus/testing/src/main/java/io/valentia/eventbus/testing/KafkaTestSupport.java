package io.valentia.eventbus.testing;

import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one Kafka every test of a module (a JVM) shares, chosen once:
 *
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} when set (a cluster someone runs for the tests);
 *   <li>else Testcontainers' {@code KafkaContainer} when a Docker engine answers;
 *   <li>else the in-JVM KRaft broker ({@link EmbeddedKafkaBroker}) in a temporary directory.
 * </ol>
 *
 * No Kafka test is ever skipped: the last choice always exists. Valentia's topics are provisioned
 * once. Tests share the topics, so they tell their own records apart (by event id or subject) and
 * use a fresh consumer group each.
 */
public final class KafkaTestSupport {
  /** The Kafka image used where Docker exists. */
  public static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

  private static Kafka kafka;

  private KafkaTestSupport() {}

  /** Bootstrap servers of the shared Kafka, starting it and its topics on first use. */
  public static synchronized String bootstrapServers() {
    if (kafka == null) {
      kafka = startKafka();
      new TopicProvisioner(KafkaSettings.local(kafka.bootstrap()))
          .ensureTopics(Duration.ofSeconds(60));
      Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "kafka-test-support-shutdown"));
    }
    return kafka.bootstrap();
  }

  /** Which backend runs: {@code external}, {@code testcontainers} or {@code embedded}. */
  public static synchronized String backend() {
    bootstrapServers();
    return kafka.backend();
  }

  /** Settings for the shared Kafka with default partitions and replication 1. */
  public static KafkaSettings settings() {
    return KafkaSettings.local(bootstrapServers());
  }

  /** A unique consumer group name, so no test shares offsets with another. */
  public static String uniqueGroup(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** A plain byte-array producer (acks=all), as any Kafka client would write. */
  public static KafkaProducer<byte[], byte[]> rawProducer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Every record of {@code topic} from the beginning up to its end when called, read with an
   * assigned (group-less) consumer.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return readAll(bootstrapServers(), topic);
  }

  /** {@link #readAll(String)} on the cluster at {@code bootstrap}. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    return readAll(bootstrap, topic, Map.of());
  }

  /**
   * {@link #readAll(String)} on the cluster at {@code bootstrap}, with the client security settings
   * {@code security} (e.g. a platform's embedded credentials).
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrap, Map<String, String> security, String topic) {
    return readAll(bootstrap, topic, security);
  }

  /**
   * {@link #readAll(String)} on the cluster at {@code bootstrap}, with more consumer properties
   * (e.g. {@code isolation.level=read_committed}, to read as Valentia's readers do: without the
   * records of aborted transactions, or a platform's client security settings).
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrap, String topic, Map<String, ?> consumerProperties) {
    Properties props = new Properties();
    props.putAll(consumerProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in 30 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
  }

  private static Kafka startKafka() {
    String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
    if (external != null && !external.isBlank()) {
      return new Kafka("external", external, () -> {});
    }
    if (dockerAvailable()) {
      KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
      container.start();
      return new Kafka("testcontainers", container.getBootstrapServers(), container::stop);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("valentia-test-kafka");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0);
    return new Kafka(
        "embedded",
        broker.bootstrapServers(),
        () -> {
          broker.close();
          deleteRecursively(dir);
        });
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Deletes a directory tree, ignoring what is already gone. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Kafka(String backend, String bootstrap, Runnable stopper) {
    void stop() {
      stopper.run();
    }
  }
}
