package io.valentia.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.testing.TestServiceContext;
import io.valentia.web.stream.EventStreams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The web service's start and its http section")
class WebServiceTest {

  @Test
  @DisplayName(
      "A VALENTIA_ADMIN_TOKEN shorter than 32 characters is refused at start, before Kafka is"
          + " asked anything, with a message that says so.")
  void shortAdminTokenIsRefused(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    // nothing listens on port 1: a start that reached for Kafka would hang, not fail at once
    KafkaSettings nowhere = KafkaSettings.forCommandLine("127.0.0.1:1", "web-service-test");
    TestServiceContext context =
        new TestServiceContext(
            vertx,
            nowhere,
            null,
            dir,
            EventCodec.MAPPER.readTree("{\"host\": \"127.0.0.1\", \"port\": 0}"),
            Map.of("VALENTIA_ADMIN_TOKEN", "t0ken"),
            new TestServiceContext.RecordingHealth(),
            new StateTables(nowhere),
            new ApiRoutes(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      Future<?> started = new WebService().start(context);

      assertThat(started.failed()).isTrue();
      assertThat(started.cause())
          .hasMessageContaining("refusing to start")
          .hasMessageContaining("VALENTIA_ADMIN_TOKEN is 5 characters long")
          .hasMessageContaining("at least 32");
    } finally {
      context.stateTables().close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "The http section's timeouts, proxies, origins, sessions and throttle are read with their"
          + " defaults, and every bad value is reported at once with its key.")
  void settings() throws Exception {
    WebConfig defaults = WebConfig.of(EventCodec.MAPPER.readTree("{}"));
    assertThat(defaults.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.kafkaWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.sessionLifetime()).isEqualTo(Duration.ofHours(12));
    assertThat(defaults.trustedProxies()).isEmpty();

    WebConfig set =
        WebConfig.of(
            EventCodec.MAPPER.readTree(
                "{\"idle-timeout\": \"30s\", \"trusted-proxies\": [\"10.0.0.0/8\", \"::1\"],"
                    + " \"allowed-origins\": \"https://ops.example\","
                    + " \"sessions\": {\"lifetime\": \"8h\", \"idle\": \"30m\"},"
                    + " \"throttle\": {\"failures\": 5, \"per\": \"5m\"}}"));
    assertThat(set.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(set.trustedProxies()).containsExactly("10.0.0.0/8", "::1");
    assertThat(set.allowedOrigins()).containsExactly("https://ops.example");
    assertThat(set.sessionLifetime()).isEqualTo(Duration.ofHours(8));
    assertThat(set.sessionIdle()).isEqualTo(Duration.ofMinutes(30));
    assertThat(set.throttleFailures()).isEqualTo(5);

    List<String> problems =
        WebConfig.check(
            EventCodec.MAPPER.readTree(
                "{\"idle-timeout\": \"soon\", \"trusted-proxies\": [\"proxy.example\","
                    + " \"10.0.0.0/33\"], \"allowed-origins\": [\"https://ops.example/path\"],"
                    + " \"sessions\": {\"lifetime\": \"0s\", \"forever\": true},"
                    + " \"throttle\": {\"failures\": 0}}"));
    assertThat(problems)
        .anyMatch(p -> p.startsWith("idle-timeout: not a duration"))
        .anyMatch(p -> p.startsWith("trusted-proxies: \"proxy.example\""))
        .anyMatch(p -> p.startsWith("trusted-proxies: \"10.0.0.0/33\""))
        .anyMatch(p -> p.startsWith("allowed-origins: "))
        .anyMatch(p -> p.startsWith("sessions.lifetime: must be at least"))
        .anyMatch(p -> p.startsWith("sessions.forever: unknown key"))
        .anyMatch(p -> p.startsWith("throttle.failures: "))
        .hasSize(7);
  }

  @Test
  @DisplayName("A live stream's heartbeat comes at most a third of the idle timeout apart.")
  void heartbeatWithinIdleTimeout() {
    assertThat(
            WebService.heartbeatWithin(EventStreams.Limits.DEFAULT, Duration.ofSeconds(6))
                .heartbeat())
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(
            WebService.heartbeatWithin(EventStreams.Limits.DEFAULT, Duration.ofMinutes(5))
                .heartbeat())
        .isEqualTo(EventStreams.Limits.DEFAULT.heartbeat());
  }
}
