package io.valentia.web.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.broker.RestartableBroker;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stops a broker of its own (never the shared test broker) under a running web server. */
@DisplayName("A change during a Kafka outage is answered within the configured wait")
class KafkaOutageAnswerIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  @DisplayName(
      "With the broker stopped, creating a token is answered 503 with Retry-After after the"
          + " 2 s wait (the client gives up only after 15 s, the old hang lasted a minute), and"
          + " works again once the broker is back.")
  void mutationAnswersWithinTheWait(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (RestartableBroker broker = RestartableBroker.start(dir.resolve("kafka"), 0)) {
      KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers());
      new TopicProvisioner(kafka).ensureTopics(Duration.ofSeconds(60));
      try (StateTables tables = new StateTables(kafka)) {
        AccessState access =
            AccessState.open(tables, dir.resolve("web"), TestTokens.ADMIN, l -> {});
        WebVerticle web =
            new WebVerticle(
                WebConfig.of(
                    EventCodec.MAPPER.readTree(
                        "{\"host\": \"127.0.0.1\", \"port\": 0, \"kafka-wait\": \"2s\"}")),
                () ->
                    Future.succeededFuture(
                        HealthReport.of(
                            Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
                access.admin(),
                new ApiRoutes(),
                new WebVerticle.Gateway(access.tokens(), access.sessions(), null, null));
        vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, SECONDS);
        String base = "http://127.0.0.1:" + web.actualPort();
        assertThat(createToken(base).statusCode()).isEqualTo(201);

        broker.stop();
        HttpResponse<String> during;
        try {
          during = createToken(base);
        } finally {
          broker.start();
        }

        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(during.headers().firstValue("Retry-After").map(Long::parseLong))
            .hasValueSatisfying(s -> assertThat(s).isPositive());
        assertThat(new JsonObject(during.body()).getString("error"))
            .contains("not confirmed")
            .contains("check before");
        await()
            .atMost(Duration.ofSeconds(90))
            .ignoreExceptions()
            .until(() -> createToken(base).statusCode() == 201);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, SECONDS);
    }
  }

  private static HttpResponse<String> createToken(String base) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/tokens"))
            .timeout(Duration.ofSeconds(15))
            .header("Authorization", "Bearer " + TestTokens.ADMIN)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject()
                        .put("name", "outage-" + UUID.randomUUID().toString().substring(0, 8))
                        .put("role", "viewer")
                        .encode()))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
