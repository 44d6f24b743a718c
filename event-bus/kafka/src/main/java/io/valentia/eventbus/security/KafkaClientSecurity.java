package io.valentia.eventbus.security;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where every Kafka client Valentia opens (the platform's, and each command's) takes its security
 * settings from, in this order:
 *
 * <ol>
 *   <li>a Kafka client properties file the user names ({@code --kafka-config FILE}, {@code
 *       VALENTIA_KAFKA_CONFIG}, or {@code kafka.config} in the configuration): for an external
 *       cluster (SSL, SASL/SCRAM, ...), in the format of Kafka's own tools' {@code
 *       --command-config};
 *   <li>else the embedded broker's credentials in the data directory, as the principal of the
 *       command's or process's role;
 *   <li>else none (a cluster open to anyone).
 * </ol>
 */
public final class KafkaClientSecurity {
  /** The environment variable naming a Kafka client properties file. */
  public static final String CONFIG_VARIABLE = "VALENTIA_KAFKA_CONFIG";

  private KafkaClientSecurity() {}

  /**
   * The security settings of a client acting as {@code role}.
   *
   * @param configFile a Kafka client properties file; null for none
   * @param dataDir the platform's data directory (where the embedded broker's credentials are);
   *     null for none
   * @throws ValentiaException when the file named cannot be read
   */
  public static Map<String, String> resolve(Path configFile, Path dataDir, KafkaRole role) {
    if (configFile != null) {
      return read(configFile);
    }
    if (dataDir != null) {
      return KafkaCredentials.find(dataDir).map(c -> c.clientProperties(role)).orElse(Map.of());
    }
    return Map.of();
  }

  /**
   * The security settings of a command acting as {@code role}: {@code configFile}, else {@code
   * VALENTIA_KAFKA_CONFIG}; else the credentials in {@code dataDir}, else in {@code VALENTIA_DATA},
   * else in {@code ./data}.
   *
   * @param configFile the command's {@code --kafka-config}; null when not given
   * @param dataDir the command's {@code --data-dir}; null when not given
   */
  public static Map<String, String> forCommand(Path configFile, Path dataDir, KafkaRole role) {
    Path config = configFile != null ? configFile : pathFrom(System.getenv(CONFIG_VARIABLE));
    Path data = dataDir != null ? dataDir : pathFrom(System.getenv("VALENTIA_DATA"));
    return resolve(config, data != null ? data : Path.of("data"), role);
  }

  private static Path pathFrom(String value) {
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  /**
   * The properties of a Kafka client properties file ({@code key=value} lines; {@code #} comments).
   *
   * @throws ValentiaException when it cannot be read
   */
  public static Map<String, String> read(Path configFile) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ValentiaException(
          "cannot read the Kafka client configuration " + configFile + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    properties.stringPropertyNames().stream()
        .sorted()
        .forEach(name -> out.put(name, properties.getProperty(name).trim()));
    return out;
  }
}
