package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.probes.leases.LeaseVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** lease-revoke against the real lease service, behind a bearer-token check like the gateway's. */
class LeaseRevokeIT {
  private static final String TOKEN = "operator-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Vertx vertx;
  private static KafkaEventPublisher publisher;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
    Router leases = Router.router(vertx);
    vertx
        .deployVerticle(new LeaseVerticle(publisher, "chaos-test", leases, false))
        .await(30, TimeUnit.SECONDS);
    Router root = Router.router(vertx);
    root.route("/api/v1/*")
        .handler(
            rc -> {
              if (("Bearer " + TOKEN).equals(rc.request().getHeader("Authorization"))) {
                rc.next();
              } else {
                rc.response()
                    .setStatusCode(401)
                    .end("{\"error\":\"a valid API token is required\"}");
              }
            });
    root.route("/api/v1/leases*").subRouter(leases);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(root)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    url = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    publisher.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static FaultInjector injector() {
    return new FaultInjector(
        FaultCatalog.standard(
            Optional.empty(), Map.of("VALENTIA_URL", url, "VALENTIA_TOKEN", TOKEN)),
        Runs.allowing("hosts").policy());
  }

  @Test
  @DisplayName(
      "lease-revoke finds the lease of a resource, revokes it (lease.revoked, lessor-revoke), holds the resource for its duration so the lessee cannot take it back, and frees it on revert")
  void revokesAndHolds() throws Exception {
    String resource = "hmd-" + UUID.randomUUID();
    JsonNode lease = grant(resource, "compositor");
    assertThat(lease.path("id").asText()).isNotEmpty();

    try (FaultInjector injector = injector()) {
      injector.inject(
          "run",
          "lease-revoke",
          EventCodec.MAPPER.createObjectNode().put("resource", resource).put("duration", "1m"));

      CloudEvent revoked = awaitRevoked(lease.path("id").asText());
      assertThat(revoked.data().path("reason").asText()).isEqualTo("lessor-revoke");
      assertThat(holderOf(resource)).isEqualTo(LeaseRevoke.HOLDER);
      assertThat(grantStatus(resource, "compositor")).as("the resource is held").isEqualTo(409);

      injector.revertAll("test");
      assertThat(holderOf(resource)).isNull();
      assertThat(grantStatus(resource, "compositor")).as("the lessee takes it back").isEqualTo(201);
    }
  }

  @Test
  @DisplayName(
      "lease-revoke by id without a duration only revokes; an unknown lease and a wrong token are clear errors")
  void revokesByIdAndReportsErrors() throws Exception {
    String resource = "hmd-" + UUID.randomUUID();
    String id = grant(resource, "compositor").path("id").asText();
    try (FaultInjector injector = injector()) {
      injector.inject("run", "lease-revoke", EventCodec.MAPPER.createObjectNode().put("lease", id));
      assertThat(holderOf(resource)).isNull();
      assertThat(injector.active()).isEmpty();

      assertThatThrownBy(
              () ->
                  injector.inject(
                      "run", "lease-revoke", EventCodec.MAPPER.createObjectNode().put("lease", id)))
          .isInstanceOf(FaultException.class)
          .hasMessageContaining("no active lease " + id);
      ObjectNode badToken =
          EventCodec.MAPPER.createObjectNode().put("resource", resource).put("token", "wrong");
      assertThatThrownBy(() -> injector.inject("run", "lease-revoke", badToken))
          .isInstanceOf(FaultException.class)
          .hasMessageContaining("operator role");
    }
  }

  private static JsonNode grant(String resource, String lessee) throws Exception {
    HttpResponse<String> response = post(resource, lessee);
    assertThat(response.statusCode()).isEqualTo(201);
    return EventCodec.MAPPER.readTree(response.body());
  }

  private static int grantStatus(String resource, String lessee) throws Exception {
    return post(resource, lessee).statusCode();
  }

  private static HttpResponse<String> post(String resource, String lessee) throws Exception {
    ObjectNode body = EventCodec.MAPPER.createObjectNode().put("resource", resource);
    body.putObject("lessee").put("name", lessee);
    body.put("termMs", 60_000);
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url + "/api/v1/leases"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The lessee name holding {@code resource}; null when free. */
  private static String holderOf(String resource) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/leases"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode lease : EventCodec.MAPPER.readTree(response.body()).path("leases")) {
      if (resource.equals(lease.path("resource").asText())) {
        return lease.path("lessee").path("name").asText();
      }
    }
    return null;
  }

  private static CloudEvent awaitRevoked(String leaseId) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<ConsumerRecord<byte[], byte[]>> records =
                  KafkaTestSupport.readAll(Topics.EVENTS);
              for (ConsumerRecord<byte[], byte[]> r : records) {
                try {
                  CloudEvent e = EventCodec.instance().decode(r.value());
                  if (e.type().equals("io.valentia.lease.revoked.v1")
                      && leaseId.equals(e.data().path("leaseId").asText())) {
                    return Optional.of(e);
                  }
                } catch (InvalidEventException ignored) {
                  // other tests' records
                }
              }
              return Optional.<CloudEvent>empty();
            },
            Optional::isPresent)
        .orElseThrow();
  }
}
