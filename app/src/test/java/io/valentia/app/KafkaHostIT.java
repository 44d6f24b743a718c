package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.EventCodec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code valentia up --kafka-host --kafka-advertised} in a process of its own. */
@DisplayName("valentia up with the embedded broker beyond loopback")
class KafkaHostIT {
  private static final String TOKEN = "kafka-host-it-admin-token-0123456789abcdef";

  @TempDir Path dir;

  @Test
  @DisplayName(
      "binds the address asked, gives clients the advertised host, and warns in the log that the"
          + " listener, though clients must sign in, is not encrypted")
  void bindsBeyondLoopbackWithAWarning() throws Exception {
    Path log = dir.resolve("up.log");
    ChildPlatform platform =
        ChildPlatform.up(
            log,
            TOKEN,
            List.of(
                "--data",
                dir.resolve("data").toString(),
                "--kafka-host",
                "0.0.0.0",
                "--kafka-advertised",
                "localhost",
                "--kafka-port",
                "0",
                "--http-port",
                "0",
                "--role",
                "web"));
    try {
      assertThat(platform.bootstrap()).startsWith("localhost:");
      String port = platform.bootstrap().substring("localhost:".length());
      assertThat(ChildPlatform.read(log))
          .contains("embedded Kafka on 0.0.0.0:" + port + ", advertised as localhost:" + port)
          .contains("WARN")
          .contains("with SASL but without TLS");
      assertThat(
              EventCodec.MAPPER
                  .readTree(platform.send("GET", "/health", null).body())
                  .at("/kafka/bootstrap")
                  .asText())
          .isEqualTo(platform.bootstrap());
    } finally {
      platform.stop();
    }
  }
}
