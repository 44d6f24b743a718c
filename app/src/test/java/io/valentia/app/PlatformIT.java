package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ServiceCatalog;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.WebService;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The issue's "done when", end to end on the all-in-one platform with its own embedded broker: up,
 * /health, emit, tail, a plain Kafka client, a garbage record dead-lettered, and a restart that
 * keeps every event.
 */
@DisplayName("The all-in-one platform")
@ExtendWith(SharedPlatform.Resolver.class)
class PlatformIT {
  @TempDir Path data;

  /** The data directory of {@link #running}. */
  @TempDir static Path runningData;

  /**
   * A platform for the tests that only need one running (not its start or restart), started by the
   * first of them.
   */
  private static Platform running;

  @AfterAll
  static void stopRunning() {
    if (running != null) {
      running.close();
    }
  }

  private static Platform running() {
    if (running == null) {
      running = start(runningData);
    }
    return running;
  }

  @Test
  @DisplayName(
      "answers /health, takes an event from `emit` that `tail` and a plain Kafka client then read,"
          + " dead-letters garbage with its reason, and keeps every event across a restart")
  void doneWhen() throws Exception {
    String subject = "done-when-" + UUID.randomUUID();
    String id;
    String bootstrap;
    try (Platform platform = start()) {
      bootstrap = platform.bootstrapServers();
      HttpResponse<String> health = get("http://127.0.0.1:" + platform.httpPort() + "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      JsonNode report = EventCodec.MAPPER.readTree(health.body());
      assertThat(report.get("status").asText()).isEqualTo("HEALTH_OK");
      assertThat(report.at("/kafka/embedded").asBoolean()).isTrue();
      assertThat(report.at("/kafka/topics").size()).isEqualTo(Topics.ALL.size());
      assertThat(report.at("/services/web/state").asText()).isEqualTo("running");

      Run emit =
          run(
              "emit",
              "--kafka",
              bootstrap,
              "--data-dir",
              data.toString(),
              "--type",
              "io.valentia.probe.mtu.mismatch.v1",
              "--subject",
              subject,
              "--data",
              "{\"peer\":\"osd-7\",\"largestPassingBytes\":1472,\"smallestFailingBytes\":8972,"
                  + "\"estimatedPathMtu\":1500,\"direction\":\"out\"}",
              "--json");
      assertThat(emit.code).as(emit.err).isZero();
      id = EventCodec.MAPPER.readTree(emit.out).get("id").asText();

      Run tail =
          run(
              "tail",
              "--kafka",
              bootstrap,
              "--data-dir",
              data.toString(),
              "--from-beginning",
              "--type",
              "io.valentia.probe.mtu.*",
              "--max",
              "1",
              "--timeout",
              "30s",
              "--json");
      assertThat(tail.code).as(tail.err).isZero();
      JsonNode tailed = EventCodec.MAPPER.readTree(tail.out);
      assertThat(tailed.get("id").asText()).isEqualTo(id);
      assertThat(tailed.get("severity").asText()).isEqualTo("warning");

      assertThat(plainRead(bootstrap, subject)).anySatisfy(v -> assertThat(v).contains(id));

      byte[] garbage = ("garbage " + subject).getBytes(StandardCharsets.UTF_8);
      try (KafkaProducer<byte[], byte[]> producer = rawProducer(bootstrap)) {
        // a client with the platform's credentials; one without is refused outright
        assertThat(PlatformKafka.security(data)).containsKey("sasl.jaas.config");
        producer.send(new ProducerRecord<>(Topics.EVENTS, garbage)).get();
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          KafkaTestSupport.readAll(
                              bootstrap, PlatformKafka.security(data), Topics.DEADLETTER))
                      .filteredOn(r -> java.util.Arrays.equals(r.value(), garbage))
                      .singleElement()
                      .satisfies(
                          r -> {
                            assertThat(header(r, DeadLetters.REASON)).isEqualTo("not-json");
                            assertThat(header(r, DeadLetters.TOPIC)).isEqualTo(Topics.EVENTS);
                            assertThat(header(r, DeadLetters.ERROR)).isNotBlank();
                          }));
    }

    try (Platform again = start()) {
      assertThat(plainRead(again.bootstrapServers(), subject))
          .anySatisfy(v -> assertThat(v).contains(id));
    }
  }

  @Test
  @DisplayName(
      "folds health.changed events from Kafka into /health and `status`, and `health mute`"
          + " takes a check out of the status until it is unmuted")
  void healthRollupAndMute() throws Exception {
    String check = "TEST_CHECK_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    Platform platform = running();
    String url = "http://127.0.0.1:" + platform.httpPort();
    String bootstrap = platform.bootstrapServers();
    Run raise =
        emitHealth(
            bootstrap,
            check,
            "\"status\":\"HEALTH_WARN\",\"summary\":\"1 thing is off\","
                + "\"detail\":[\"thing 1\"],\"count\":1");
    assertThat(raise.code).as(raise.err).isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Run status = run("status", "--url", url);
              assertThat(status.code).isEqualTo(1);
              assertThat(status.out)
                  .contains("health: HEALTH_WARN", check + ": 1 thing is off", "thing 1");
            });

    Run mute =
        run("health", "mute", check, "--ttl", "1h", "--url", url, "--token", TestTokens.ADMIN);
    assertThat(mute.code).as(mute.err).isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Run status = run("status", "--url", url);
              assertThat(status.code).isZero();
              assertThat(status.out).contains("health: HEALTH_OK", check, "(muted)");
            });
    assertThat(run("health", "mute", check, "--url", url, "--token", "wrong").code).isEqualTo(1);

    Run unmute = run("health", "unmute", check, "--url", url, "--token", TestTokens.ADMIN);
    assertThat(unmute.code).as(unmute.err).isZero();
    Run again = run("health", "unmute", check, "--url", url, "--token", TestTokens.ADMIN);
    assertThat(again.code).as("unmute of a check that is not muted").isEqualTo(1);
    assertThat(again.err).contains("404", check + " is not muted");

    String absent = "NO_SUCH_CHECK_" + check;
    Run unknown = run("health", "mute", absent, "--url", url, "--token", TestTokens.ADMIN);
    assertThat(unknown.code).as("mute of a check that is not raised").isEqualTo(1);
    assertThat(unknown.err).contains("404", "no check " + absent + " is raised now", check);
    Run sticky =
        run("health", "mute", absent, "--sticky", "--url", url, "--token", TestTokens.ADMIN);
    assertThat(sticky.code)
        .as("a sticky mute may name a check before it is raised: " + sticky.err)
        .isZero();
    assertThat(run("health", "unmute", absent, "--url", url, "--token", TestTokens.ADMIN).code)
        .isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(run("status", "--url", url).code).isEqualTo(1));

    Run clear =
        emitHealth(
            bootstrap,
            check,
            "\"status\":\"HEALTH_OK\",\"summary\":\"\",\"detail\":[],\"count\":0");
    assertThat(clear.code).as(clear.err).isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(run("status", "--url", url).out).doesNotContain(check));
  }

  @Test
  @DisplayName("`status` prints the health like `ceph -s` and exits 0 when HEALTH_OK")
  void statusCommand() {
    Platform platform = running();
    Run status = run("status", "--url", "http://127.0.0.1:" + platform.httpPort());
    assertThat(status.code).as(status.err).isZero();
    assertThat(status.out)
        .contains("health: HEALTH_OK", "event-bus:", "web:", "valentia.events", "(embedded)");
    Run json = run("status", "--json", "--url", "http://127.0.0.1:" + platform.httpPort());
    assertThat(json.out).contains("\"status\":\"HEALTH_OK\"");
  }

  @Test
  @DisplayName(
      "with --kafka uses that cluster instead of starting a broker, and keeps no Kafka data of its"
          + " own")
  void externalCluster() throws Exception {
    String external = KafkaTestSupport.bootstrapServers();
    ValentiaConfig config =
        ConfigLoader.load(
            null,
            Map.of("VALENTIA_KAFKA_BOOTSTRAP", external),
            Map.of("data", data.toString(), "http.port", 0, "roles", List.of("web")));
    try (Platform platform =
        Platform.start(config, Map.of(), new PrintStream(new ByteArrayOutputStream()))) {
      assertThat(platform.bootstrapServers()).isEqualTo(external);
      JsonNode report =
          EventCodec.MAPPER.readTree(
              get("http://127.0.0.1:" + platform.httpPort() + "/health").body());
      assertThat(report.at("/kafka/embedded").asBoolean()).isFalse();
      assertThat(report.at("/kafka/bootstrap").asText()).isEqualTo(external);
      assertThat(report.at("/kafka/reachable").asBoolean()).isTrue();
    }
    assertThat(data.resolve("kafka")).doesNotExist();
  }

  @Test
  @DisplayName(
      "runs the services of its catalog: their configuration sections, API routes behind the"
          + " token, and health checks all reach the platform")
  void servicesPlugIn() throws Exception {
    ServiceCatalog catalog = new ServiceCatalog(List.of(new WebService(), new EchoService()));
    ValentiaConfig config =
        ConfigLoader.load(
            catalog,
            null,
            Map.of("VALENTIA_KAFKA_BOOTSTRAP", KafkaTestSupport.bootstrapServers()),
            Map.of("data", data.toString(), "http.port", 0));
    assertThat(config.roles()).containsExactly("echo", "web");
    try (Platform platform =
        Platform.start(
            config,
            catalog,
            Map.of("VALENTIA_ADMIN_TOKEN", TestTokens.ADMIN),
            new PrintStream(new ByteArrayOutputStream()))) {
      String base = "http://127.0.0.1:" + platform.httpPort();
      assertThat(get(base + "/api/v1/echo/hello").statusCode()).isEqualTo(401);
      HttpResponse<String> echoed =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/api/v1/echo/hello"))
                      .header("Authorization", "Bearer " + TestTokens.ADMIN)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(echoed.statusCode()).isEqualTo(200);
      assertThat(echoed.body()).isEqualTo("hello");
      JsonNode report = EventCodec.MAPPER.readTree(get(base + "/health").body());
      assertThat(report.get("status").asText()).isEqualTo("HEALTH_WARN");
      assertThat(report.at("/checks/ECHO_CHECK/summary").asText()).isEqualTo("echo says hi");
      assertThat(report.at("/services/echo/state").asText()).isEqualTo("running");
    }
    Run bad =
        run("up", "--data", data.toString(), "--role", "echo"); // not in the installed catalog
    assertThat(bad.code).isEqualTo(2);
    assertThat(bad.err).contains("\"echo\" is not a role of this build");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    catalog,
                    null,
                    Map.of(),
                    Map.of("data", data.toString(), "roles", List.of("nope"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("available: echo, web");
  }

  /** A service as a module would write one. */
  static final class EchoService implements ValentiaService {
    @Override
    public String role() {
      return "echo";
    }

    @Override
    public String description() {
      return "echoes";
    }

    @Override
    public Future<?> start(ServiceContext context) {
      Router router = Router.router(context.vertx());
      router.get("/:word").handler(ctx -> ctx.response().end(ctx.pathParam("word")));
      context.api().mount("/echo", router);
      context
          .health()
          .raise("ECHO_CHECK", new HealthCheck("HEALTH_WARN", "echo says hi", List.of()));
      return Future.succeededFuture();
    }
  }

  @Test
  @DisplayName(
      "`halt` with a URL and a token goes through the platform's API and reverts a real"
          + " process-pause there (the paused process runs again) with no Kafka address it can"
          + " reach, says so, and `halt --release` without a reason says who released")
  void haltThroughTheApi(SharedPlatform shared) throws Exception {
    Process sleeper = shared.sleeper(SharedPlatform.Sleeper.HALT_COMMAND);
    String url = shared.base();
    HttpResponse<String> posted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/experiments/runs"))
                    .header("Authorization", "Bearer " + TestTokens.ADMIN)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            """
                                {"title": "pause the sleeper", "method": [
                                  {"type": "action", "name": "pause-sleeper",
                                   "provider": {"type": "valentia", "fault": "process-pause",
                                     "arguments": {"pid": %d, "duration": "10m"}}}]}
                                """
                                .formatted(sleeper.pid())))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> processState(sleeper.pid()), "T"::equals);

    Run halt =
        run(
            "halt",
            "--reason",
            "game day",
            "--url",
            url,
            "--token",
            TestTokens.ADMIN,
            "--kafka",
            "127.0.0.1:1",
            "--kafka-timeout",
            "1s");
    assertThat(halt.code).as(halt.err).isZero();
    assertThat(halt.out)
        .contains("HALT through the platform's API at " + url + ": 1 fault(s) reverted there");
    assertThat(halt.err).doesNotContain("Kafka");
    // the API answers once the fault is reverted: the process already runs
    assertThat(processState(sleeper.pid())).isIn("S", "R");

    Run release =
        run(
            "halt",
            "--release",
            "--by",
            "ann",
            "--json",
            "--url",
            url,
            "--token",
            TestTokens.ADMIN,
            "--kafka",
            "127.0.0.1:1");
    assertThat(release.code).as(release.err).isZero();
    JsonNode released = EventCodec.MAPPER.readTree(release.out);
    assertThat(released.path("halted").asBoolean(true)).as(release.out).isFalse();
    assertThat(released.path("through").asText()).isEqualTo("api");
  }

  @Test
  @DisplayName(
      "`up` with VALENTIA_KAFKA_BOOTSTRAP in its environment says which cluster it uses and where"
          + " the address came from before connecting, and names both when it does not answer")
  void upSaysWhichKafka() {
    ValentiaConfig config =
        ConfigLoader.load(
            null,
            Map.of("VALENTIA_KAFKA_BOOTSTRAP", "127.0.0.1:1"),
            Map.of(
                "data",
                data.toString(),
                "http.port",
                0,
                // the admin client gives up on the silent address after 3 s instead of a minute
                "kafka.properties",
                Map.of("default.api.timeout.ms", "3000", "request.timeout.ms", "3000")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    assertThatThrownBy(
            () ->
                Platform.start(
                    config,
                    Map.of("VALENTIA_ADMIN_TOKEN", TestTokens.ADMIN),
                    new PrintStream(out, true, StandardCharsets.UTF_8)))
        .hasMessageContaining("Kafka at 127.0.0.1:1 (from VALENTIA_KAFKA_BOOTSTRAP)");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("using the Kafka cluster at 127.0.0.1:1 (from VALENTIA_KAFKA_BOOTSTRAP)");
  }

  /** The state letter of {@code pid} in /proc (T: stopped), or "gone". */
  private static String processState(long pid) {
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (java.io.IOException e) {
      return "gone";
    }
  }

  private Platform start() {
    return start(data);
  }

  private static Platform start(Path data) {
    ValentiaConfig config =
        ConfigLoader.load(
            null, Map.of(), Map.of("data", data.toString(), "kafka.port", 0, "http.port", 0));
    return Platform.start(
        config,
        Map.of("VALENTIA_ADMIN_TOKEN", TestTokens.ADMIN),
        new PrintStream(new ByteArrayOutputStream()));
  }

  private List<String> plainRead(String bootstrap, String key) {
    Properties props = new Properties();
    props.putAll(PlatformKafka.security(data));
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "plain-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    try {
      consumer.subscribe(List.of(Topics.EVENTS));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(
                        r -> {
                          if (key.equals(r.key())) {
                            values.add(r.value());
                          }
                        });
                return !values.isEmpty();
              });
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
    return values;
  }

  private KafkaProducer<byte[], byte[]> rawProducer(String bootstrap) {
    Properties props = new Properties();
    props.putAll(PlatformKafka.security(data));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private record Run(int code, String out, String err) {}

  /** {@code valentia emit} of a health change of {@code check}; {@code fields} after its name. */
  private static Run emitHealth(String bootstrap, String check, String fields) {
    return run(
        "emit",
        "--kafka",
        bootstrap,
        "--data-dir",
        runningData.toString(),
        "--type",
        "io.valentia.health.changed.v1",
        "--subject",
        check,
        "--data",
        "{\"check\":\"" + check + "\"," + fields + "}");
  }

  private static Run run(String... args) {
    CommandLine commandLine = Valentia.commandLine(args[0]);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
