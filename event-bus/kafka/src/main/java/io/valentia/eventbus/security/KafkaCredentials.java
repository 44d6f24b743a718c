package io.valentia.eventbus.security;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The SASL/SCRAM-SHA-512 passwords of the embedded broker's principals ({@link KafkaRole}), made at
 * the first start and kept in {@code DATA/secrets/kafka-credentials.properties}, readable by its
 * owner only. Whoever can read that file can act as any of Valentia's principals on the embedded
 * broker: it is as sensitive as the data directory itself. Immutable.
 */
public final class KafkaCredentials {
  /** The SASL mechanism of the embedded broker's client listener. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  static final String FILE_NAME = "kafka-credentials.properties";

  private final Map<KafkaRole, String> passwords;

  private KafkaCredentials(Map<KafkaRole, String> passwords) {
    this.passwords = Map.copyOf(passwords);
  }

  /** Where the credentials of the platform with data directory {@code dataDir} are. */
  public static Path file(Path dataDir) {
    return dataDir.resolve("secrets").resolve(FILE_NAME);
  }

  /**
   * Reads the credentials of {@code dataDir}, making them first when there are none (a new password
   * per principal, from a {@link SecureRandom}).
   *
   * @throws ValentiaException when the file is unreadable, lacks a principal or is readable by
   *     others than its owner
   */
  public static KafkaCredentials loadOrCreate(Path dataDir) {
    Path file = file(dataDir);
    if (!Files.exists(file)) {
      OwnerOnlyFiles.createIfAbsent(file, generate().render());
    }
    return read(file);
  }

  /** The credentials of {@code dataDir}; empty when the platform there never made any. */
  public static Optional<KafkaCredentials> find(Path dataDir) {
    Path file = file(dataDir);
    return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
  }

  /** New random credentials, kept nowhere (for a test broker of one's own). */
  public static KafkaCredentials generate() {
    SecureRandom random = new SecureRandom();
    Map<KafkaRole, String> passwords = new EnumMap<>(KafkaRole.class);
    for (KafkaRole role : KafkaRole.values()) {
      byte[] bytes = new byte[24];
      random.nextBytes(bytes);
      passwords.put(role, HexFormat.of().formatHex(bytes));
    }
    return new KafkaCredentials(passwords);
  }

  private static KafkaCredentials read(Path file) {
    if (OwnerOnlyFiles.tooOpen(file)) {
      throw new ValentiaException(
          file
              + " is readable or writable by others than its owner: chmod 600 it (and make new"
              + " credentials if someone may have read it: remove it and restart the platform)");
    }
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Kafka credentials " + file, e);
    }
    Map<KafkaRole, String> passwords = new EnumMap<>(KafkaRole.class);
    for (KafkaRole role : KafkaRole.values()) {
      String password = properties.getProperty(role.principal());
      if (password == null || password.isBlank()) {
        throw new ValentiaException(file + " has no password for " + role.principal());
      }
      passwords.put(role, password.trim());
    }
    return new KafkaCredentials(passwords);
  }

  private byte[] render() {
    StringWriter out = new StringWriter();
    out.write("# Kafka SASL/SCRAM-SHA-512 passwords of Valentia's principals, one per role.\n");
    out.write("# Made at the first start of the embedded broker. Keep this file owner-only.\n");
    for (KafkaRole role : KafkaRole.values()) {
      out.write(role.principal() + "=" + passwords.get(role) + "\n");
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The password of {@code role}. */
  public String password(KafkaRole role) {
    return passwords.get(role);
  }

  /**
   * The client properties that sign in as {@code role} on the embedded broker (SASL_PLAINTEXT on
   * loopback, SCRAM-SHA-512).
   */
  public Map<String, String> clientProperties(KafkaRole role) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("security.protocol", "SASL_PLAINTEXT");
    props.put("sasl.mechanism", MECHANISM);
    props.put(
        "sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", role));
    return props;
  }

  /**
   * A JAAS configuration line of {@code loginModule} with the user and password of {@code role}.
   */
  String jaas(String loginModule, KafkaRole role) {
    return loginModule
        + " required username=\""
        + role.principal()
        + "\" password=\""
        + password(role)
        + "\";";
  }

  /**
   * The {@code --add-scram} arguments of Kafka's storage formatter: every principal, so that they
   * exist from the broker's first start.
   */
  public List<String> scramArguments() {
    return java.util.Arrays.stream(KafkaRole.values())
        .map(r -> MECHANISM + "=[name=" + r.principal() + ",password=" + password(r) + "]")
        .toList();
  }

  @Override
  public String toString() {
    return "KafkaCredentials[" + passwords.keySet() + "]"; // never the passwords
  }
}
