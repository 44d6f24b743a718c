package io.valentia.eventbus.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.kafka.TopicProvisioner.TopicStatus;
import io.valentia.eventbus.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic creation and {@code KAFKA_DEGRADED} on a real three-node KRaft cluster in this JVM. */
@DisplayName("On a three-broker Kafka cluster")
class KafkaReplicationIT {
  @TempDir static Path dir;
  private static KafkaTestCluster cluster;
  private static Admin admin;

  @BeforeAll
  static void cluster() {
    cluster = KafkaTestCluster.start(dir, 3, 2);
    admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName(
      "Valentia creates its topics with replication 3 and min.insync.replicas 2 as configured, and"
          + " KAFKA_DEGRADED is raised while one broker is down and cleared once it is back")
  void degradedWhileABrokerIsDown() throws Exception {
    KafkaSettings settings =
        new KafkaSettings(
            cluster.bootstrapServers(), "replication-it", (short) 3, null, "lz4", null);
    assertThat(settings.minInsyncReplicas()).isEqualTo(2);
    List<TopicStatus> topics = new TopicProvisioner(settings).ensureTopics(Duration.ofSeconds(60));
    assertThat(topics).allSatisfy(t -> assertThat(t.replicationFactor()).isEqualTo(3));
    assertThat(topics).allSatisfy(t -> assertThat(t.mismatches()).isEmpty());
    Config events =
        admin
            .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.EVENTS)))
            .all()
            .get()
            .values()
            .iterator()
            .next();
    assertThat(events.get("min.insync.replicas").value()).isEqualTo("2");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> KafkaReplication.read(admin, Duration.ofSeconds(5)).isEmpty());

    cluster.stop(2);
    try {
      HealthCheck degraded =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> KafkaReplication.read(admin, Duration.ofSeconds(5)), Optional::isPresent)
              .orElseThrow();
      assertThat(degraded.severity())
          .as("two of three replicas in sync meet min.insync.replicas 2")
          .isEqualTo(HealthReport.WARN);
      assertThat(degraded.summary())
          .contains("under-replicated partition(s)")
          .contains("offline broker(s) 2");
      assertThat(String.join("\n", degraded.detail())).contains(Topics.EVENTS);
    } finally {
      cluster.start(2);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> KafkaReplication.read(admin, Duration.ofSeconds(5)).isEmpty());
  }
}
