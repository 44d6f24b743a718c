package io.valentia.app;

import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.security.KafkaRole;

/** The Kafka settings of the clients of one Valentia process. */
final class ProcessClientSettings {
  private ProcessClientSettings() {}

  /**
   * The Kafka settings of this process's clients, signed in as the principal of its roles ({@link
   * KafkaRole#forProcess}): with the embedded broker's credentials when this process runs it; with
   * the configured client properties for an external cluster, or, when those say nothing of
   * security, with the credentials in the data directory (a process of its own against the embedded
   * broker of another on this machine). A replica's client id carries its name, and the member name
   * in consumer groups is this process's lasting one ({@link GroupMember}).
   */
  static KafkaSettings of(ValentiaConfig config, String bootstrap, KafkaCredentials credentials) {
    KafkaSettings settings = signedIn(config, bootstrap, credentials);
    if (config.replica().isPresent()) {
      // a replica's clients are told apart on the brokers (quotas, metrics, logs)
      settings = settings.withClientId(settings.clientId() + "-" + config.replica().get());
    }
    return settings.withMember(GroupMember.of(config.dataDir(), config.replica(), config.roles()));
  }

  private static KafkaSettings signedIn(
      ValentiaConfig config, String bootstrap, KafkaCredentials credentials) {
    KafkaSettings settings = config.kafka().settings(bootstrap);
    KafkaRole principal = KafkaRole.forProcess(config.roles());
    if (credentials != null) {
      return settings.withClientProperties(credentials.clientProperties(principal));
    }
    if (config.kafka().properties().containsKey("security.protocol")) {
      return settings;
    }
    return KafkaCredentials.find(config.dataDir())
        .map(c -> settings.withClientProperties(c.clientProperties(principal)))
        .orElse(settings);
  }
}
