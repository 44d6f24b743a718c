package io.valentia.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded broker with security on")
class SecuredBrokerIT {
  @TempDir static Path dataDir;
  private static EmbeddedKafkaBroker broker;
  private static KafkaCredentials credentials;

  @BeforeAll
  static void start() {
    credentials = KafkaCredentials.loadOrCreate(dataDir);
    broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), 0, credentials);
    new TopicProvisioner(settings(KafkaRole.ADMIN)).ensureTopics(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @DisplayName("The credentials are made at the first start and kept readable by their owner only")
  void credentialsAreOwnerOnly() throws Exception {
    Path file = KafkaCredentials.file(dataDir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).contains("valentia-probes=", "valentia-admin=");
    assertThat(KafkaCredentials.loadOrCreate(dataDir).password(KafkaRole.CHAOS))
        .isEqualTo(credentials.password(KafkaRole.CHAOS));
  }

  @Test
  @DisplayName("A client without credentials is refused: it never gets the topics' metadata")
  void anonymousIsRefused() {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("request.timeout.ms", 3000);
    props.put("default.api.timeout.ms", 5000);
    try (Admin admin = Admin.create(props)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
    }
  }

  @Test
  @DisplayName("A client with a wrong password is refused with an authentication error")
  void wrongPasswordIsRefused() {
    Map<String, String> wrong = new HashMap<>(credentials.clientProperties(KafkaRole.PROBES));
    wrong.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"valentia-probes\" password=\"guessed\";");
    try (KafkaProducer<byte[], byte[]> producer = producer(wrong)) {
      assertThatThrownBy(() -> send(producer, Topics.EVENTS))
          .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  @DisplayName("The probes principal writes events but is refused valentia.control")
  void probesCannotWriteControl() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        producer(credentials.clientProperties(KafkaRole.PROBES))) {
      assertThat(send(producer, Topics.EVENTS).topic()).isEqualTo(Topics.EVENTS);
      assertThatThrownBy(() -> send(producer, Topics.CONTROL))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
      assertThatThrownBy(() -> send(producer, Topics.STATE_SCHEDULES))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  @DisplayName("The chaos principal writes valentia.control and its own state, not another's")
  void chaosWritesControl() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        producer(credentials.clientProperties(KafkaRole.CHAOS))) {
      assertThat(send(producer, Topics.CONTROL).topic()).isEqualTo(Topics.CONTROL);
      assertThat(send(producer, Topics.STATE_SCHEDULES).topic()).isEqualTo(Topics.STATE_SCHEDULES);
      assertThatThrownBy(() -> send(producer, Topics.STATE_TOKENS))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  @DisplayName("A restart on the same data directory keeps the principals and their rights")
  void restartKeepsAccess() throws Exception {
    Path other = dataDir.resolve("restart");
    KafkaCredentials own = KafkaCredentials.loadOrCreate(other);
    EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(other.resolve("kafka"), 0, own);
    int port = first.port();
    first.close();
    try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.start(other.resolve("kafka"), port, own)) {
      KafkaSettings admin =
          KafkaSettings.forCommandLine(
              again.bootstrapServers(), "restart", own.clientProperties(KafkaRole.ADMIN));
      new TopicProvisioner(admin).ensureTopics(Duration.ofSeconds(60));
      Map<String, Object> props = new HashMap<>(admin.commonClientProperties("probe"));
      props.putAll(own.clientProperties(KafkaRole.WEB));
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        assertThat(send(producer, Topics.CONTROL).topic()).isEqualTo(Topics.CONTROL);
      }
    }
  }

  private static KafkaSettings settings(KafkaRole role) {
    return KafkaSettings.forCommandLine(
        broker.bootstrapServers(), "secured-it", credentials.clientProperties(role));
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, String> security) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("max.block.ms", 10000);
    props.put("delivery.timeout.ms", 15000);
    props.put("request.timeout.ms", 10000);
    props.putAll(security);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic)
      throws Exception {
    return producer
        .send(
            new ProducerRecord<>(
                topic,
                "secured-it".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8)))
        .get(20, TimeUnit.SECONDS);
  }
}
