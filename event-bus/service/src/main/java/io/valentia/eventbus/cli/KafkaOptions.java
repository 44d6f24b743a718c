package io.valentia.eventbus.cli;

import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.eventbus.security.KafkaRole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command that talks to Kafka itself finds it and signs in, a picocli mixin: {@link
 * KafkaAddress} ({@code --kafka}); {@code --kafka-config}, else {@code VALENTIA_KAFKA_CONFIG};
 * {@code --data-dir}, else {@code VALENTIA_DATA}, else {@code ./data} (see {@link
 * KafkaClientSecurity}). Not thread-safe (one command, one thread).
 */
public final class KafkaOptions {
  static final String CONFIG_VARIABLE = KafkaClientSecurity.CONFIG_VARIABLE;
  static final String DATA_VARIABLE = "VALENTIA_DATA";
  static final String DEFAULT_DATA = "data";

  @Mixin KafkaAddress address;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      defaultValue = "${env:" + CONFIG_VARIABLE + "}",
      description =
          "Kafka client properties (SSL, SASL/SCRAM) for an external cluster"
              + " (VALENTIA_KAFKA_CONFIG)")
  String kafkaConfig;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:" + DATA_VARIABLE + ":-" + DEFAULT_DATA + "}",
      description =
          "the platform's data directory: its Kafka credentials sign in to the embedded broker,"
              + " its platform key signs control records (VALENTIA_DATA; default ./data)")
  String dataDir;

  /** The bootstrap servers: see {@link KafkaAddress#bootstrap()}. */
  public String bootstrap() {
    return address.bootstrap();
  }

  /** The bootstrap servers and where they came from: see {@link KafkaAddress#described()}. */
  public String described() {
    return address.described();
  }

  /** The Kafka client properties file named, or null. */
  public Path kafkaConfig() {
    String value = Lookup.value(kafkaConfig, CONFIG_VARIABLE, null);
    return value == null ? null : Path.of(value);
  }

  /** The platform's data directory. */
  public Path dataDir() {
    return Path.of(Lookup.value(dataDir, DATA_VARIABLE, DEFAULT_DATA));
  }

  /** Settings with short timeouts, fit for a command line, signed in as {@code role}. */
  public KafkaSettings settings(KafkaRole role) {
    return KafkaSettings.forCommandLine(
        bootstrap(), "valentia-cli", KafkaClientSecurity.resolve(kafkaConfig(), dataDir(), role));
  }

  /**
   * Whether Kafka answers within {@code timeout}, asked as {@code role} (a secured broker does not
   * answer a client that does not sign in): a command asks this first to say at once, in one line,
   * that Kafka is unreachable, instead of after its clients' own, longer timeouts.
   */
  public boolean answers(Duration timeout, KafkaRole role) {
    int millis = (int) Math.max(1, timeout.toMillis());
    Map<String, Object> props = settings(role).commonClientProperties("reachable");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    Admin admin = Admin.create(props);
    try {
      admin.describeCluster().clusterId().get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) { // not naming Kafka's own: a command that never asks loads none of them
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return false;
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }
}
