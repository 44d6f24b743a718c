package io.valentia.chaos.cli;

import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.eventbus.security.KafkaRole;
import java.nio.file.Path;
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

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties (SSL, SASL/SCRAM) for an external cluster"
              + " (VALENTIA_KAFKA_CONFIG)")
  Path kafkaConfig;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "the platform's data directory: its Kafka credentials sign in to the embedded broker,"
              + " its platform key signs control records (VALENTIA_DATA; default ./data)")
  Path dataDir;

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

  /**
   * Settings with short timeouts, fit for a command line, signed in as the chaos principal (see
   * {@link KafkaClientSecurity}).
   */
  public KafkaSettings settings() {
    return KafkaSettings.forCommandLine(
        bootstrap(),
        "valentia-cli",
        KafkaClientSecurity.forCommand(kafkaConfig, dataDir, KafkaRole.CHAOS));
  }

  /** The platform's data directory: {@code --data-dir}, else {@code VALENTIA_DATA}, else ./data. */
  public Path dataDir() {
    if (dataDir != null) {
      return dataDir;
    }
    String env = System.getenv("VALENTIA_DATA");
    return Path.of(env != null && !env.isBlank() ? env : "data");
  }

  /**
   * The seal of this machine's platform (its key in {@code DATA/secrets/platform.key}): what a
   * command's halts and schedules are signed with, and a command-line injector checks halts by.
   *
   * @throws io.valentia.eventbus.ValentiaException when the data directory has no platform key
   */
  public io.valentia.chaos.safety.ControlSeal seal() {
    return new io.valentia.chaos.safety.ControlSeal(
        io.valentia.eventbus.security.PlatformKey.find(dataDir())
            .orElseThrow(
                () ->
                    new io.valentia.eventbus.ValentiaException(
                        "no platform key in "
                            + io.valentia.eventbus.security.PlatformKey.file(dataDir())
                            + ": a command writes to Kafka only on the platform's machine (name its"
                            + " data directory with --data-dir or VALENTIA_DATA); elsewhere go"
                            + " through the platform's API (--url, --token)")));
  }

  /** Who a command acts as: {@code cli:USER@HOST}, with the platform's authority. */
  public static io.valentia.chaos.safety.ControlSeal.Sender sender() {
    return io.valentia.chaos.safety.ControlSeal.Sender.platform(
        "cli:" + System.getProperty("user.name", "unknown") + "@" + ExperimentCommand.hostname());
  }

  /** Whether Kafka answers within {@code timeout}. */
  public boolean reachable(Duration timeout) {
    Map<String, Object> props = settings().commonClientProperties("reachable");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    Admin admin = Admin.create(props);
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
