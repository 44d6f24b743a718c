package io.valentia.app.cli;

import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.eventbus.security.KafkaRole;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command that talks to Kafka itself signs in (see {@link KafkaClientSecurity}). */
public final class KafkaOptions {
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
          "the platform's data directory, whose Kafka credentials sign in to the embedded broker"
              + " (VALENTIA_DATA; default ./data)")
  Path dataDir;

  /** Command-line settings for the Kafka of {@code endpoints}, signed in as {@code role}. */
  public KafkaSettings settings(Endpoints endpoints, KafkaRole role) {
    return KafkaSettings.forCommandLine(
        endpoints.kafka(),
        "valentia-cli",
        KafkaClientSecurity.forCommand(kafkaConfig, dataDir, role));
  }
}
