package io.valentia.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.testing.SampleEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded KRaft broker")
class EmbeddedKafkaBrokerIT {
  private static final EventCodec CODEC = EventCodec.instance();
  private static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(60);
  private static final int EVENT_COUNT = 50;

  @Test
  @DisplayName(
      "A restart on the same data directory, on another port, keeps every event published before")
  void restartKeepsEveryEvent(@TempDir Path dataDir) throws Exception {
    Set<String> published = new HashSet<>();
    int firstPort;
    EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir, 0);
    try {
      firstPort = first.port();
      KafkaSettings settings = KafkaSettings.local(first.bootstrapServers());
      new TopicProvisioner(settings).ensureTopics(PROVISION_TIMEOUT);
      Vertx vertx = Vertx.vertx();
      try {
        KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, settings, "restart-test");
        try {
          EventType[] types = EventType.values();
          List<Future<?>> futures = new ArrayList<>();
          for (int i = 0; i < EVENT_COUNT; i++) {
            CloudEvent event = SampleEvents.event(types[i % types.length], "host-" + (i % 7));
            published.add(event.id());
            futures.add(publisher.publish(event));
          }
          for (Future<?> future : futures) {
            join(future);
          }
        } finally {
          publisher.close();
        }
      } finally {
        join(vertx.close());
      }
    } finally {
      first.close();
    }
    assertThat(published).hasSize(EVENT_COUNT);

    EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir, 0);
    try {
      assertThat(second.port()).isNotEqualTo(firstPort);
      assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + second.port());
      List<ConsumerRecord<String, String>> records =
          readAll(second.bootstrapServers(), Topics.EVENTS);
      List<String> ids = new ArrayList<>();
      for (ConsumerRecord<String, String> record : records) {
        ids.add(CODEC.decode(record.value()).id());
      }
      assertThat(ids).containsExactlyInAnyOrderElementsOf(published);
    } finally {
      second.close();
    }
  }

  @Test
  @DisplayName(
      "The second start on a data directory does not reformat it: the cluster id stays the same")
  void secondStartDoesNotReformat(@TempDir Path dataDir) throws Exception {
    Path metaProperties = dataDir.resolve("meta.properties");
    String clusterIdBefore;
    String servedBefore;
    int firstPort;
    EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir, 0);
    try {
      firstPort = first.port();
      assertThat(metaProperties).exists();
      clusterIdBefore = clusterIdLine(metaProperties);
      servedBefore = servedClusterId(first.bootstrapServers());
    } finally {
      first.close();
    }
    assertThat(clusterIdBefore)
        .startsWith("cluster.id=")
        .hasSizeGreaterThan("cluster.id=".length());
    assertThat(clusterIdBefore).isEqualTo("cluster.id=" + servedBefore);

    EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir, 0);
    try {
      assertThat(second.port()).isNotEqualTo(firstPort);
      assertThat(clusterIdLine(metaProperties)).isEqualTo(clusterIdBefore);
      assertThat(servedClusterId(second.bootstrapServers())).isEqualTo(servedBefore);
    } finally {
      second.close();
    }
    assertThat(clusterIdLine(metaProperties)).isEqualTo(clusterIdBefore);
  }

  @Test
  @DisplayName(
      "Starting a broker on a port that is already taken fails fast, naming the port and"
          + " suggesting --kafka-port")
  void takenPortFailsFast(@TempDir Path dataDir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      long started = System.nanoTime();
      assertThatThrownBy(() -> EmbeddedKafkaBroker.start(dataDir, port).close())
          .isInstanceOf(ValentiaException.class)
          .hasMessageContaining(String.valueOf(port))
          .hasMessageContaining("--kafka-port");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(dataDir.resolve("meta.properties")).doesNotExist();
    }
  }

  @Test
  @DisplayName(
      "A second broker on the client port of a running one fails fast and leaves the first"
          + " serving")
  void secondBrokerOnARunningBrokersPortFailsFast(@TempDir Path root) throws Exception {
    Path firstDir = root.resolve("first");
    Path secondDir = root.resolve("second");
    EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(firstDir, 0);
    try {
      int port = first.port();
      long started = System.nanoTime();
      assertThatThrownBy(() -> EmbeddedKafkaBroker.start(secondDir, port).close())
          .isInstanceOf(ValentiaException.class)
          .hasMessageContaining(String.valueOf(port))
          .hasMessageContaining("--kafka-port");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(secondDir.resolve("meta.properties")).doesNotExist();
      assertThat(servedClusterId(first.bootstrapServers())).isNotBlank();
    } finally {
      first.close();
    }
  }

  @Test
  @DisplayName(
      "A standard Kafka Admin client connects to the bootstrap servers and lists the five"
          + " Valentia topics after provisioning")
  void adminListsValentiaTopics(@TempDir Path dataDir) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0);
    try {
      new TopicProvisioner(KafkaSettings.local(broker.bootstrapServers()))
          .ensureTopics(PROVISION_TIMEOUT);
      try (Admin admin = admin(broker.bootstrapServers())) {
        Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertThat(Topics.ALL).hasSize(Topics.LOGS.size() + Topics.STATES.size());
        assertThat(names).containsAll(Topics.ALL);
        assertThat(
                admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                    .map(node -> node.host() + ":" + node.port()))
            .containsExactly(broker.bootstrapServers());
      }
    } finally {
      broker.close();
    }
  }

  /** Every record of {@code topic} from the beginning to its end, as any Kafka client reads it. */
  private static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "embedded-broker-it-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                assertThat(infos).isNotEmpty();
                partitions.clear();
                infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
              });
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(() -> consumer.endOffsets(partitions, Duration.ofSeconds(5)), m -> true);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ZERO)
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
              });
      return records;
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
  }

  private static Admin admin(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-broker-it-admin");
    return Admin.create(props);
  }

  /** The cluster id the broker serves, asked with a standard Admin client. */
  private static String servedClusterId(String bootstrap) throws Exception {
    try (Admin admin = admin(bootstrap)) {
      return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
    }
  }

  private static String clusterIdLine(Path metaProperties) throws IOException {
    List<String> lines =
        Files.readAllLines(metaProperties).stream()
            .filter(line -> line.startsWith("cluster.id="))
            .toList();
    assertThat(lines).as("cluster.id lines of %s", metaProperties).hasSize(1);
    return lines.get(0);
  }

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
