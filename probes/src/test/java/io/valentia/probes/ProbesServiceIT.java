package io.valentia.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.RaisedCheck;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.probes.mtu.MtuEchoAgent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The probes role as the platform runs it: configured, started, publishing to a real Kafka. */
@DisplayName("The probes role")
class ProbesServiceIT {
  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
  private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
  private final String host = "it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "probes-it");
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    publisher.close();
  }

  @Test
  @DisplayName(
      "The MTU mesh runs its agent, probes a live and a silent peer, and publishes pings and"
          + " MTU_PEER_UNREACHABLE to Kafka")
  void mtuMesh() throws Exception {
    int silent;
    try (DatagramSocket socket = new DatagramSocket(0)) {
      silent = socket.getLocalPort();
    }
    try (MtuEchoAgent peer = MtuEchoAgent.start(new InetSocketAddress("127.0.0.1", 0))) {
      JsonNode config =
          EventCodec.MAPPER.readTree(
              "{\"mtu\":{\"agentPort\":0,\"agentBind\":\"127.0.0.1\",\"peers\":[\"127.0.0.1:"
                  + peer.port()
                  + "\",\"127.0.0.1:"
                  + silent
                  + "\"],\"interval\":\"1s\",\"timeout\":\"300ms\",\"attempts\":1,"
                  + "\"name\":\""
                  + host
                  + "\"}}");
      ProbesService service = new ProbesService();
      assertThat(service.checkConfig(config)).isEmpty();
      started(service.start(context(config)));
      assertThat(services.get("probes.mtu").state()).isEqualTo("running");

      await()
          .atMost(60, TimeUnit.SECONDS)
          .until(() -> ofHost("/probes/mtu/" + host).stream().anyMatch(this::unreachableRaised));
      List<CloudEvent> events = ofHost("/probes/mtu/" + host);
      assertThat(events)
          .filteredOn(e -> e.type().equals(EventType.PROBE_MTU_PING.type()))
          .extracting(e -> e.subject() + " " + e.data().path("ok").asBoolean())
          .contains(
              host + "->127.0.0.1:" + peer.port() + " true",
              host + "->127.0.0.1:" + silent + " false");
      assertThat(events)
          .filteredOn(e -> e.type().equals(EventType.PROBE_MTU_MISMATCH.type()))
          .isEmpty();
      assertThat(peer.requests()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  @DisplayName(
      "Ceph ingest runs the configured command and publishes OSD pings and the slow back check,"
          + " which it also raises in the health state")
  void cephIngest() throws Exception {
    Path dump = resource("/ceph/dump_osd_network_slow.json");
    JsonNode config =
        EventCodec.MAPPER.readTree(
            "{\"ceph\":{\"osdNetworkCommand\":[\"cat\",\""
                + dump
                + "\"],\"interval\":\"1s\",\"name\":\""
                + host
                + "\"}}");
    ProbesService service = new ProbesService();
    assertThat(service.checkConfig(config)).isEmpty();
    started(service.start(context(config)));

    await()
        .atMost(60, TimeUnit.SECONDS)
        .until(
            () ->
                ofHost("/probes/ceph/" + host).stream()
                    .anyMatch(e -> e.type().equals(EventType.HEALTH_CHANGED.type())));
    List<CloudEvent> events = ofHost("/probes/ceph/" + host);
    assertThat(events)
        .filteredOn(e -> e.type().equals(EventType.PROBE_OSD_PING.type()))
        .extracting(CloudEvent::subject)
        .contains("osd.0->osd.1", "osd.3->osd.1", "osd.1->osd.0");
    assertThat(events)
        .filteredOn(e -> e.type().equals(EventType.HEALTH_CHANGED.type()))
        .extracting(e -> e.subject() + " " + e.data().path("status").asText())
        .contains("OSD_SLOW_PING_TIME_BACK HEALTH_WARN", "OSD_SLOW_PING_TIME_FRONT HEALTH_OK");
    String source = "/probes/ceph/" + host;
    try (StateTable<RaisedCheck> state =
        StateTable.open(KafkaTestSupport.settings(), Topics.STATE_HEALTH, RaisedCheck.class)) {
      await()
          .atMost(30, TimeUnit.SECONDS)
          .untilAsserted(
              () -> {
                assertThat(state.get(RaisedCheck.key("OSD_SLOW_PING_TIME_BACK", source)))
                    .hasValueSatisfying(c -> assertThat(c.status()).isEqualTo("HEALTH_WARN"));
                assertThat(state.get(RaisedCheck.key("OSD_SLOW_PING_TIME_FRONT", source)))
                    .isEmpty();
              });
    }
  }

  @Test
  @DisplayName(
      "A Ceph command that fails raises CEPH_COMMAND_FAILED naming the command and its error, and"
          + " the check clears when the command works again")
  void cephCommandFails() throws Exception {
    Path dump = Files.createTempDirectory("ceph-it").resolve("dump.json");
    JsonNode config =
        EventCodec.MAPPER.readTree(
            "{\"ceph\":{\"osdNetworkCommand\":[\"cat\",\""
                + dump
                + "\"],\"interval\":\"1s\",\"name\":\""
                + host
                + "\"}}");
    started(new ProbesService().start(context(config)));

    await().atMost(30, TimeUnit.SECONDS).until(() -> checks.containsKey("CEPH_COMMAND_FAILED"));
    HealthCheck check = checks.get("CEPH_COMMAND_FAILED");
    assertThat(check.severity()).isEqualTo("HEALTH_WARN");
    assertThat(check.detail())
        .singleElement()
        .asString()
        .contains("[cat, " + dump + "] exited with 1")
        .contains("No such file or directory");

    Path ready = dump.resolveSibling("ready.json");
    Files.copy(resource("/ceph/dump_osd_network_slow.json"), ready);
    Files.move(ready, dump, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    await().atMost(30, TimeUnit.SECONDS).until(() -> !checks.containsKey("CEPH_COMMAND_FAILED"));
  }

  @Test
  @DisplayName("Bad probe settings are all reported before anything starts")
  void badSettings() throws Exception {
    JsonNode config =
        EventCodec.MAPPER.readTree(
            "{\"mtu\":{\"peers\":[\"nohost\"],\"timeout\":\"fast\"},\"ceph\":{\"interval\":\"1s\"}}");

    assertThat(new ProbesService().checkConfig(config))
        .contains(
            "mtu.peers[0]: \"nohost\": not HOST:PORT (the agent's UDP port)",
            "mtu.timeout: not a duration: \"fast\" (write e.g. 500ms, 30s, 5m or 2h)",
            "ceph.osdNetworkCommand: required, e.g. [ceph, daemon, osd.0, dump_osd_network,"
                + " \"0\"]");
  }

  private boolean unreachableRaised(CloudEvent event) {
    return event.type().equals(EventType.HEALTH_CHANGED.type())
        && event.subject().equals("MTU_PEER_UNREACHABLE")
        && event.data().path("status").asText().equals("HEALTH_WARN");
  }

  private static List<CloudEvent> ofHost(String source) {
    return KafkaTestSupport.readAll(Topics.EVENTS).stream()
        .map(r -> EventCodec.instance().decode(r.value()))
        .filter(e -> e.source().equals(source))
        .toList();
  }

  private static void started(Future<?> future) throws Exception {
    future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ProbesServiceIT.class.getResource(name).toURI());
  }

  private final StateTables stateTables = new StateTables(KafkaTestSupport.settings());

  private ServiceContext context(JsonNode config) {
    HealthRegistry health =
        new HealthRegistry() {
          @Override
          public void service(String name, ServiceStatus status) {
            services.put(name, status);
          }

          @Override
          public void raise(String name, HealthCheck check) {
            checks.put(name, check);
          }

          @Override
          public void clear(String name) {
            checks.remove(name);
          }

          @Override
          public Future<HealthReport> report() {
            return Future.succeededFuture(HealthReport.of(Map.of(), services, null));
          }
        };
    return new ServiceContext() {
      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public KafkaSettings kafka() {
        return KafkaTestSupport.settings();
      }

      @Override
      public KafkaEventPublisher publisher() {
        return publisher;
      }

      @Override
      public Path dataDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
      }

      @Override
      public JsonNode config() {
        return config;
      }

      @Override
      public Map<String, String> environment() {
        return Map.of();
      }

      @Override
      public HealthRegistry health() {
        return health;
      }

      @Override
      public StateTables stateTables() {
        return stateTables;
      }

      @Override
      public ApiRoutes api() {
        return new ApiRoutes();
      }

      @Override
      public PrintStream console() {
        return System.out;
      }
    };
  }
}
