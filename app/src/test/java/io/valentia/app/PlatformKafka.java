package io.valentia.app;

import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaClientSecurity;
import io.valentia.eventbus.security.KafkaRole;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a test signs in to the Kafka of a platform it started: with the credentials the embedded
 * broker made in the platform's data directory (as the platform principal), or with none when that
 * platform used an external cluster.
 */
final class PlatformKafka {
  private PlatformKafka() {}

  /** The client security settings for the platform with data directory {@code data}. */
  static Map<String, String> security(Path data) {
    return KafkaClientSecurity.resolve(null, data, KafkaRole.ADMIN);
  }

  /** Command-line settings (short timeouts) for that platform's Kafka at {@code bootstrap}. */
  static KafkaSettings settings(Path data, String bootstrap, String clientId) {
    return KafkaSettings.forCommandLine(bootstrap, clientId, security(data));
  }
}
