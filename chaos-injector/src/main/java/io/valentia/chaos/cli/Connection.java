package io.valentia.chaos.cli;

import io.valentia.eventbus.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Option;

/**
 * How a chaos command finds Kafka: {@code --kafka}, then {@code VALENTIA_KAFKA_BOOTSTRAP}, then
 * 127.0.0.1:9092.
 */
public final class Connection {
  public static final String DEFAULT_KAFKA = "127.0.0.1:9092";

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description =
          "Kafka bootstrap servers (VALENTIA_KAFKA_BOOTSTRAP; default " + DEFAULT_KAFKA + ")")
  String kafka;

  public String bootstrap() {
    if (kafka != null && !kafka.isBlank()) {
      return kafka;
    }
    String env = System.getenv("VALENTIA_KAFKA_BOOTSTRAP");
    return env != null && !env.isBlank() ? env : DEFAULT_KAFKA;
  }

  /**
   * {@link #bootstrap()} and where it came from, for messages: {@code 10.0.0.5:9092 (from
   * VALENTIA_KAFKA_BOOTSTRAP)}.
   */
  public String described() {
    String env = System.getenv("VALENTIA_KAFKA_BOOTSTRAP");
    String from =
        kafka != null && !kafka.isBlank()
            ? "--kafka"
            : env != null && !env.isBlank() ? "VALENTIA_KAFKA_BOOTSTRAP" : "the default";
    return bootstrap() + " (from " + from + ")";
  }

  /** Settings with short timeouts, fit for a command line. */
  public KafkaSettings settings() {
    return KafkaSettings.forCommandLine(bootstrap(), "valentia-cli");
  }

  /** Whether Kafka answers within {@code timeout}. */
  public boolean reachable(Duration timeout) {
    Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()));
    try {
      admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return false;
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  static Duration quick() {
    return Duration.ofSeconds(5);
  }
}
