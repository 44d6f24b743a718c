package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ServiceCatalog;
import io.valentia.app.config.ValentiaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files in {@code deploy/} agree with each other and with this build: the Compose
 * file's brokers form one KRaft quorum that replicates 3 with {@code min.insync.replicas} 2, every
 * role of this build has its service (and its systemd unit instance in the deploying guide, {@code
 * docs/operations.md}), and the shared configuration loads. No Docker engine is needed: the files
 * are read as YAML.
 */
@DisplayName("The deployment files")
class DeploymentTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * The Compose file with its anchors and merge keys ({@code <<: *x}) resolved, as Compose does.
   */
  private static JsonNode compose() throws Exception {
    Object tree = new Yaml().load(Files.readString(DEPLOY.resolve("compose/compose.yaml")));
    return YAML.valueToTree(tree);
  }

  private static Map<String, JsonNode> services(JsonNode compose, boolean kafka) {
    Map<String, JsonNode> found = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = compose.path("services").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      boolean isKafka = entry.getValue().path("image").asText().startsWith("apache/kafka");
      if (isKafka == kafka) {
        found.put(entry.getKey(), entry.getValue());
      }
    }
    return found;
  }

  private static Set<String> roles() {
    Set<String> roles = new TreeSet<>();
    ServiceCatalog.installed().services().forEach(s -> roles.add(s.role()));
    return roles;
  }

  @Test
  @DisplayName(
      "run three KRaft nodes whose ids, voters, advertised listeners and volumes agree, with"
          + " replication 3 and min.insync.replicas 2 for Kafka's own topics too")
  void kafkaQuorumIsConsistent() throws Exception {
    JsonNode compose = compose();
    Map<String, JsonNode> brokers = services(compose, true);
    assertThat(brokers).containsOnlyKeys("kafka-1", "kafka-2", "kafka-3");
    List<String> voters = new ArrayList<>();
    Set<String> ids = new TreeSet<>();
    for (Map.Entry<String, JsonNode> broker : brokers.entrySet()) {
      JsonNode env = broker.getValue().path("environment");
      String id = env.path("KAFKA_NODE_ID").asText();
      ids.add(id);
      voters.add(id + "@" + broker.getKey() + ":9093");
      assertThat(broker.getValue().path("hostname").asText()).isEqualTo(broker.getKey());
      assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText())
          .isEqualTo("PLAINTEXT://" + broker.getKey() + ":9092");
      assertThat(env.path("KAFKA_LISTENERS").asText())
          .contains("PLAINTEXT://:9092")
          .contains("CONTROLLER://:9093");
      assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
      assertThat(env.path("CLUSTER_ID").asText()).hasSize(22);
      assertThat(env.path("KAFKA_DEFAULT_REPLICATION_FACTOR").asText()).isEqualTo("3");
      assertThat(env.path("KAFKA_MIN_INSYNC_REPLICAS").asText()).isEqualTo("2");
      assertThat(env.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asText()).isEqualTo("3");
      assertThat(env.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText())
          .isEqualTo("3");
      assertThat(env.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asText()).isEqualTo("2");
      String volume = broker.getValue().path("volumes").get(0).asText();
      assertThat(volume).isEqualTo(broker.getKey() + ":" + env.path("KAFKA_LOG_DIRS").asText());
      assertThat(compose.path("volumes").has(broker.getKey())).isTrue();
    }
    assertThat(ids).containsExactly("1", "2", "3");
    for (JsonNode broker : brokers.values()) {
      assertThat(
              Arrays.asList(
                  broker
                      .path("environment")
                      .path("KAFKA_CONTROLLER_QUORUM_VOTERS")
                      .asText()
                      .split(",")))
          .containsExactlyInAnyOrderElementsOf(voters);
    }
  }

  @Test
  @DisplayName(
      "run every role of this build once, each on all three brokers, after them, with its own"
          + " volume and the shared configuration, and publish only the web role's port")
  void everyRoleHasItsService() throws Exception {
    JsonNode compose = compose();
    Map<String, JsonNode> roles = services(compose, false);
    Set<String> brokers = services(compose, true).keySet();
    Set<String> expected = roles();
    Set<String> found = new TreeSet<>();
    for (Map.Entry<String, JsonNode> service : roles.entrySet()) {
      JsonNode env = service.getValue().path("environment");
      String role = env.path("VALENTIA_ROLES").asText();
      found.add(role);
      assertThat(service.getKey()).isEqualTo(role);
      assertThat(Arrays.asList(env.path("VALENTIA_KAFKA_BOOTSTRAP").asText().split(",")))
          .containsExactlyInAnyOrderElementsOf(brokers.stream().map(b -> b + ":9092").toList());
      assertThat(env.path("VALENTIA_ADMIN_TOKEN").asText()).startsWith("${VALENTIA_ADMIN_TOKEN");
      String data = env.path("VALENTIA_DATA").asText();
      List<String> volumes = new ArrayList<>();
      service.getValue().path("volumes").forEach(v -> volumes.add(v.asText()));
      assertThat(volumes)
          .contains(role + ":" + data, "../valentia.yaml:/etc/valentia/valentia.yaml:ro");
      assertThat(compose.path("volumes").has(role)).isTrue();
      Set<String> dependsOn = new TreeSet<>();
      service.getValue().path("depends_on").fieldNames().forEachRemaining(dependsOn::add);
      assertThat(dependsOn).isEqualTo(brokers);
      assertThat(service.getValue().path("ports").isMissingNode())
          .as("only the web role publishes a port: %s", role)
          .isEqualTo(!role.equals("web"));
    }
    assertThat(found).isEqualTo(expected);
    assertThat(roles.get("web").path("ports").get(0).asText()).endsWith(":8080:8080");
    assertThat(roles.get("web").path("environment").path("VALENTIA_HTTP_HOST").asText())
        .isEqualTo("0.0.0.0");
    assertThat(Files.exists(DEPLOY.resolve("compose/Dockerfile"))).isTrue();
  }

  @Test
  @DisplayName(
      "share one configuration that loads without a problem and asks for replication 3 and"
          + " min.insync.replicas 2")
  void sharedConfigurationLoads() {
    ValentiaConfig config =
        ConfigLoader.load(
            DEPLOY.resolve("valentia.yaml"),
            Map.of(
                "VALENTIA_KAFKA_BOOTSTRAP",
                "kafka-1:9092,kafka-2:9092,kafka-3:9092",
                "VALENTIA_ROLES",
                "web"),
            Map.of());
    assertThat(config.kafka().replication()).isEqualTo((short) 3);
    assertThat(config.kafka().minInsyncReplicas()).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "have one templated systemd unit that runs the role named by its instance, and the"
          + " deploying guide starts an instance of it for every role")
  void systemdUnitRunsEveryRole() throws Exception {
    String unit = Files.readString(DEPLOY.resolve("systemd/valentia@.service"));
    assertThat(unit)
        .contains("--role %i")
        .contains("--data /var/lib/valentia/%i")
        .contains("--config /etc/valentia/valentia.yaml")
        .contains("EnvironmentFile=/etc/valentia/valentia.env");
    String environment = Files.readString(DEPLOY.resolve("systemd/valentia.env"));
    assertThat(environment).contains("VALENTIA_KAFKA_BOOTSTRAP=", "VALENTIA_ADMIN_TOKEN=");
    String operations = Files.readString(Path.of("..", "docs", "operations.md"));
    int start = operations.indexOf("## Deploying");
    assertThat(start).as("the Deploying section of docs/operations.md").isNotNegative();
    int end = operations.indexOf("\n## ", start + 1);
    String deploying = operations.substring(start, end < 0 ? operations.length() : end);
    for (String role : roles()) {
      assertThat(deploying).contains("valentia@" + role);
    }
  }
}
