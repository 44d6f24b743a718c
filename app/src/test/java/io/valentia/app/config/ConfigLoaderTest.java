package io.valentia.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.web.WebConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ConfigLoader builds the configuration from a YAML file, the environment and flags")
class ConfigLoaderTest {
  /** The catalog of a build with only the web role, whatever else is on the class path. */
  static final ServiceCatalog WEB_ONLY =
      new ServiceCatalog(java.util.List.of(new io.valentia.web.WebService()));

  private static final String COMMAND_LINE = "the command line";

  @TempDir Path dir;

  @Nested
  @DisplayName("Defaults")
  class Defaults {

    @Test
    @DisplayName(
        "Without a file, environment or flags it uses ./data, 127.0.0.1:8080, an embedded broker"
            + " on 9092, replication 1, lz4 and every role.")
    void defaults() {
      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of());

      assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
      assertThat(config.http()).isEqualTo(new WebConfig("127.0.0.1", 8080));
      assertThat(config.kafka().embedded()).isTrue();
      assertThat(config.kafka().bootstrap()).isNull();
      assertThat(config.kafka().port()).isEqualTo(9092);
      assertThat(config.kafka().replication()).isEqualTo((short) 1);
      assertThat(config.kafka().compression()).isEqualTo("lz4");
      assertThat(config.kafka().partitions()).isEmpty();
      assertThat(config.kafka().properties()).isEmpty();
      assertThat(config.roles()).containsExactly("web");
    }

    @Test
    @DisplayName("An empty file is fine and gives the defaults.")
    void emptyFile() throws IOException {
      Path file = yaml("");

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of());

      assertThat(config).isEqualTo(ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of()));
    }

    @Test
    @DisplayName("A file holding only comments is fine and gives the defaults.")
    void commentsOnly() throws IOException {
      Path file = yaml("# nothing configured yet\n# http:\n#   port: 9090\n");

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of());

      assertThat(config).isEqualTo(ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of()));
    }

    @Test
    @DisplayName("Environment variables outside VALENTIA_* and empty VALENTIA_* ones are ignored.")
    void unrelatedAndEmptyVariablesAreIgnored() {
      ValentiaConfig config =
          ConfigLoader.load(
              WEB_ONLY,
              null,
              Map.of("PATH", "/usr/bin", "HTTP_PORT", "abc", "VALENTIA_HTTP_PORT", ""),
              Map.of());

      assertThat(config.http().port()).isEqualTo(8080);
    }
  }

  @Nested
  @DisplayName("Reading a file")
  class ReadingAFile {

    @Test
    @DisplayName(
        "Every key of a full file is read, with the http and kafka sections, the partitions map"
            + " and the properties map.")
    void fullFile() throws IOException {
      Path file =
          yaml(
              """
              data: /var/lib/valentia
              roles: [web]
              http:
                host: 0.0.0.0
                port: 9090
              kafka:
                bootstrap: kafka-1:9092,kafka-2:9093
                port: 19092
                replication: 3
                compression: zstd
                partitions:
                  valentia.events: 12
                  valentia.control: 3
                properties:
                  security.protocol: SSL
                  ssl.truststore.location: /etc/valentia/truststore.jks
                  max.poll.records: 500
              """);

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of());

      assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/valentia"));
      assertThat(config.roles()).containsExactly("web");
      assertThat(config.http()).isEqualTo(new WebConfig("0.0.0.0", 9090));
      assertThat(config.kafka().bootstrap()).isEqualTo("kafka-1:9092,kafka-2:9093");
      assertThat(config.kafka().embedded()).isFalse();
      assertThat(config.kafka().port()).isEqualTo(19092);
      assertThat(config.kafka().replication()).isEqualTo((short) 3);
      assertThat(config.kafka().compression()).isEqualTo("zstd");
      assertThat(config.kafka().partitions())
          .containsExactly(Map.entry(Topics.EVENTS, 12), Map.entry(Topics.CONTROL, 3));
      assertThat(config.kafka().properties())
          .containsExactly(
              Map.entry("security.protocol", "SSL"),
              Map.entry("ssl.truststore.location", "/etc/valentia/truststore.jks"),
              Map.entry("max.poll.records", "500"));
    }

    @Test
    @DisplayName("A single role may be written as a plain string instead of a list.")
    void roleAsString() throws IOException {
      Path file = yaml("roles: web\n");

      assertThat(ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of()).roles())
          .containsExactly("web");
    }

    @Test
    @DisplayName(
        "The live stream's caps are read from http.streams and reach the web section; without"
            + " them the web section has none and the defaults apply.")
    void streamCaps() throws IOException {
      Path file = yaml("http:\n  streams:\n    max: 300\n    per-principal: 4\n");

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of());

      var limits =
          io.valentia.web.stream.EventStreams.Limits.of(config.section("http").path("streams"));
      assertThat(limits.maxStreams()).isEqualTo(300);
      assertThat(limits.maxPerPrincipal()).isEqualTo(4);
      var defaults =
          io.valentia.web.stream.EventStreams.Limits.of(
              ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of())
                  .section("http")
                  .path("streams"));
      assertThat(defaults.maxStreams()).isEqualTo(400);
      assertThat(defaults.maxPerPrincipal()).isEqualTo(8);
    }

    @Test
    @DisplayName("Bad stream caps are reported together, each with its key.")
    void badStreamCaps() throws IOException {
      Path file = yaml("http:\n  streams:\n    max: 0\n    per-principal: lots\n    size: 3\n");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(e.problems())
          .hasSize(3)
          .anySatisfy(p -> assertThat(p).startsWith("http.streams").contains("max: must be"))
          .anySatisfy(p -> assertThat(p).contains("per-principal: must be"))
          .anySatisfy(p -> assertThat(p).contains("size: unknown key"));
    }

    @Test
    @DisplayName(
        "The web server's timeouts, trusted proxies, allowed origins, sessions and throttle reach"
            + " the web section; bad ones are reported together, each with its key and file.")
    void webSecuritySettings() throws IOException {
      Path file =
          yaml(
              "http:\n  idle-timeout: 30s\n  trusted-proxies: [10.0.0.0/8]\n"
                  + "  sessions:\n    lifetime: 8h\n  throttle:\n    failures: 5\n");

      WebConfig web =
          WebConfig.of(ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of()).section("http"));

      assertThat(web.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
      assertThat(web.trustedProxies()).containsExactly("10.0.0.0/8");
      assertThat(web.sessionLifetime()).isEqualTo(java.time.Duration.ofHours(8));
      assertThat(web.throttleFailures()).isEqualTo(5);

      Path bad =
          yaml(
              "http:\n  header-timeout: never\n  trusted-proxies: [proxy.example]\n"
                  + "  sessions:\n    lifetime: 0s\n");
      ConfigException e = loadFails(bad, Map.of(), Map.of());
      assertThat(e.problems())
          .hasSize(3)
          .anySatisfy(p -> assertThat(p).startsWith("http.header-timeout (from " + bad + ")"))
          .anySatisfy(
              p -> assertThat(p).startsWith("http.trusted-proxies").contains("proxy.example"))
          .anySatisfy(p -> assertThat(p).startsWith("http.sessions.lifetime").contains("at least"));
    }

    @Test
    @DisplayName("Port 0 is accepted, so the web server and the broker can pick a free port.")
    void portZero() throws IOException {
      Path file = yaml("http:\n  port: 0\nkafka:\n  port: 0\n");

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of());

      assertThat(config.http().port()).isZero();
      assertThat(config.kafka().port()).isZero();
    }

    @Test
    @DisplayName("Malformed YAML is a ConfigException that names the file.")
    void malformedYaml() throws IOException {
      Path file = yaml("kafka: {bootstrap: a:1\nhttp:\n  port: [8080\n");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(e.problems()).singleElement().asString().startsWith(file.toString());
      assertThat(e).hasMessageContaining(file.toString());
    }

    @Test
    @DisplayName("A file that is a YAML list rather than a mapping is a ConfigException naming it.")
    void notAMapping() throws IOException {
      Path file = yaml("- data\n- roles\n");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(e.problems())
          .singleElement()
          .asString()
          .startsWith(file.toString())
          .contains("must be a YAML mapping");
    }

    @Test
    @DisplayName("A file that does not exist is a ConfigException naming it.")
    void missingFile() {
      Path file = dir.resolve("nowhere.yaml");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(e.problems()).singleElement().asString().contains(file.toString());
    }
  }

  @Nested
  @DisplayName("Precedence")
  class Precedence {

    @Test
    @DisplayName(
        "The Kafka cluster's address says where it came from: --kafka, the environment or the"
            + " file.")
    void bootstrapOrigin(@TempDir Path dir) throws IOException {
      Path file = Files.writeString(dir.resolve("valentia.yaml"), "kafka:\n  bootstrap: f:9092\n");

      assertThat(
              ConfigLoader.load(
                      WEB_ONLY,
                      file,
                      Map.of("VALENTIA_KAFKA_BOOTSTRAP", "e:9092"),
                      Map.of("kafka.bootstrap", "c:9092"))
                  .kafka()
                  .described())
          .isEqualTo("c:9092 (from --kafka)");
      assertThat(
              ConfigLoader.load(
                      WEB_ONLY, file, Map.of("VALENTIA_KAFKA_BOOTSTRAP", "e:9092"), Map.of())
                  .kafka()
                  .described())
          .isEqualTo("e:9092 (from VALENTIA_KAFKA_BOOTSTRAP)");
      assertThat(ConfigLoader.load(WEB_ONLY, file, Map.of(), Map.of()).kafka().described())
          .isEqualTo("f:9092 (from " + file + ")");
      assertThat(ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of()).kafka().embedded()).isTrue();
    }

    @Test
    @DisplayName("Environment variables override the file; keys they do not set keep the file's.")
    void environmentOverridesFile() throws IOException {
      Path file =
          yaml(
              """
              data: /from/file
              roles: [web]
              http:
                host: 0.0.0.0
                port: 9090
              kafka:
                bootstrap: file-kafka:9092
                port: 19092
              """);
      Map<String, String> env =
          Map.of(
              "VALENTIA_DATA", "/from/env",
              "VALENTIA_HTTP_PORT", "7070",
              "VALENTIA_KAFKA_BOOTSTRAP", "env-kafka:9093",
              "VALENTIA_KAFKA_PORT", "29092");

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, env, Map.of());

      assertThat(config.dataDir()).isEqualTo(Path.of("/from/env"));
      assertThat(config.http()).isEqualTo(new WebConfig("0.0.0.0", 7070));
      assertThat(config.kafka().bootstrap()).isEqualTo("env-kafka:9093");
      assertThat(config.kafka().port()).isEqualTo(29092);
    }

    @Test
    @DisplayName("Flags override the environment, which overrides the file.")
    void flagsOverrideEnvironment() throws IOException {
      Path file = yaml("http:\n  host: 10.0.0.1\n  port: 9090\n");
      Map<String, String> env =
          Map.of("VALENTIA_HTTP_HOST", "10.0.0.2", "VALENTIA_HTTP_PORT", "7070");
      Map<String, Object> flags = Map.of("http.port", 6060, "data", "/from/flag");

      ValentiaConfig config = ConfigLoader.load(WEB_ONLY, file, env, flags);

      assertThat(config.http()).isEqualTo(new WebConfig("10.0.0.2", 6060));
      assertThat(config.dataDir()).isEqualTo(Path.of("/from/flag"));
    }

    @Test
    @DisplayName("A flag replaces a bad environment value, so that value is no longer a problem.")
    void flagReplacesBadEnvironmentValue() {
      ValentiaConfig config =
          ConfigLoader.load(
              WEB_ONLY,
              null,
              Map.of("VALENTIA_HTTP_PORT", "abc", "VALENTIA_ROLES", "probes"),
              Map.of("http.port", 6060, "roles", List.of("web")));

      assertThat(config.http().port()).isEqualTo(6060);
      assertThat(config.roles()).containsExactly("web");
    }

    @Test
    @DisplayName("VALENTIA_ROLES=web selects the web role.")
    void rolesFromEnvironment() {
      ValentiaConfig config =
          ConfigLoader.load(WEB_ONLY, null, Map.of("VALENTIA_ROLES", "web"), Map.of());

      assertThat(config.roles()).containsExactly("web");
    }

    @Test
    @DisplayName("VALENTIA_ROLES is a comma-separated list and spaces around the commas are fine.")
    void rolesCommaList() {
      ValentiaConfig config =
          ConfigLoader.load(WEB_ONLY, null, Map.of("VALENTIA_ROLES", "web , web,web"), Map.of());

      assertThat(config.roles()).containsExactly("web");
    }

    @Test
    @DisplayName(
        "Every entry of a VALENTIA_ROLES list is checked, and a bad one names the variable.")
    void rolesCommaListWithUnknownRole() {
      ConfigException e = loadFails(null, Map.of("VALENTIA_ROLES", "web,probes"), Map.of());

      assertThat(e.problems())
          .singleElement()
          .asString()
          .startsWith("roles (from VALENTIA_ROLES):")
          .contains("\"probes\"", "not a role of this build", "available: web");
    }
  }

  @Nested
  @DisplayName("Problems")
  class Problems {

    @Test
    @DisplayName(
        "Every problem in the file, the environment and the flags is reported at once, each with"
            + " its key and where its value came from.")
    void everyProblemAtOnce() throws IOException {
      Path file =
          yaml(
              """
              roles: [web, probes]
              http:
                port: abc
              kafka:
                bootstarp: localhost:9092
                compression: brotli
                partitions:
                  nope: 3
              """);
      String source = "(from " + file + ")";
      Map<String, String> env = Map.of("VALENTIA_KAFKA_PORT", "70000");
      Map<String, Object> flags = Map.of("kafka.bootstrap", "localhost");

      ConfigException e = loadFails(file, env, flags);

      assertThat(e.problems()).hasSize(7);
      assertThat(problem(e, "kafka.bootstarp"))
          .contains(source, "unknown key", "did you mean kafka.bootstrap?");
      assertThat(problem(e, "http.port")).contains(source, "must be an integer", "\"abc\"");
      assertThat(problem(e, "kafka.port"))
          .contains("(from VALENTIA_KAFKA_PORT)", "between 0 and 65535", "70000");
      assertThat(problem(e, "kafka.compression"))
          .contains(source, "none, gzip, snappy, lz4, zstd", "\"brotli\"");
      assertThat(problem(e, "kafka.partitions.nope")).contains(source, "unknown topic");
      assertThat(problem(e, "roles")).contains(source, "\"probes\"", "not a role of this build");
      assertThat(problem(e, "kafka.bootstrap"))
          .contains("(from " + COMMAND_LINE + ")", "host:port", "\"localhost\"");
      assertThat(e.getMessage()).contains(e.problems());
    }

    @Test
    @DisplayName("An out-of-range VALENTIA_HTTP_PORT names the variable it came from.")
    void portOutOfRangeFromEnvironment() {
      ConfigException e = loadFails(null, Map.of("VALENTIA_HTTP_PORT", "70000"), Map.of());

      assertThat(e.problems())
          .containsExactly(
              "http.port (from VALENTIA_HTTP_PORT): must be between 0 and 65535, found 70000");
    }

    @Test
    @DisplayName(
        "A port from the file out of range, below zero or too big for an int is a problem.")
    void portOutOfRangeFromFile() throws IOException {
      Path file = yaml("http:\n  port: 70000\nkafka:\n  port: 4294975376\n  replication: 0\n");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(problem(e, "http.port")).contains("(from " + file + ")", "70000");
      assertThat(problem(e, "kafka.port")).contains("(from " + file + ")", "4294975376");
      assertThat(problem(e, "kafka.replication"))
          .contains("(from " + file + ")", "between 1 and 32767");
    }

    @Test
    @DisplayName("A bad value from a flag names the command line as its source.")
    void badFlagNamesCommandLine() {
      ConfigException e = loadFails(null, Map.of(), Map.of("roles", List.of("probes")));

      assertThat(e.problems())
          .singleElement()
          .asString()
          .startsWith("roles (from the command line):")
          .contains("\"probes\"");
    }

    @Test
    @DisplayName("A key with no close match is reported as unknown without a suggestion.")
    void unknownKeyWithoutSuggestion() throws IOException {
      Path file = yaml("colour: red\n");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(e.problems())
          .singleElement()
          .asString()
          .startsWith("colour (from " + file + "): unknown key")
          .doesNotContain("did you mean");
    }

    @Test
    @DisplayName("An empty roles list is a problem: a process must run at least one role.")
    void emptyRoles() throws IOException {
      Path file = yaml("roles: []\n");

      assertThat(problem(loadFails(file, Map.of(), Map.of()), "roles"))
          .contains("at least one role");
    }

    @Test
    @DisplayName(
        "Problems with partitions of Valentia's dotted topic names name the file they came from.")
    void dottedTopicProblemsNameTheirSource() throws IOException {
      Path file =
          yaml(
              """
              kafka:
                partitions:
                  valentia.events: 0
                  valentia.nope: 2
              """);

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(problem(e, "kafka.partitions.valentia.events"))
          .contains("(from " + file + ")", "positive integer");
      assertThat(problem(e, "kafka.partitions.valentia.nope"))
          .contains("(from " + file + ")", "unknown topic");
    }

    @Test
    @DisplayName(
        "A problem with a dotted Kafka property name (e.g. ssl.keystore.location) names the file"
            + " it came from.")
    void dottedPropertyProblemsNameTheirSource() throws IOException {
      Path file = yaml("kafka:\n  properties:\n    ssl.keystore.location: [a, b]\n");

      ConfigException e = loadFails(file, Map.of(), Map.of());

      assertThat(problem(e, "kafka.properties.ssl.keystore.location"))
          .contains("(from " + file + ")", "single value");
    }
  }

  @Nested
  @DisplayName("Several processes: upstreams, replica names and --print-config")
  class SeveralProcesses {
    /** A build with the web role and a chaos role that serves /halt. */
    private final ServiceCatalog withChaos =
        new ServiceCatalog(
            List.of(
                new io.valentia.web.WebService(),
                new io.valentia.eventbus.service.ValentiaService() {
                  @Override
                  public String role() {
                    return "chaos";
                  }

                  @Override
                  public String description() {
                    return "a chaos role for the test";
                  }

                  @Override
                  public io.vertx.core.Future<?> start(
                      io.valentia.eventbus.service.ServiceContext context) {
                    return io.vertx.core.Future.succeededFuture();
                  }
                }));

    @Test
    @DisplayName(
        "Upstreams come from the file as a mapping (one address or a list per role) and from"
            + " --upstream as ROLE=URL, the flags replacing the file's.")
    void upstreamsFromFileAndFlags() throws IOException {
      Path file =
          yaml("http:\n  upstreams:\n    chaos: [http://10.0.0.2:8081, http://10.0.0.3:8081]\n");

      ValentiaConfig fromFile = ConfigLoader.load(withChaos, file, Map.of(), Map.of());
      ValentiaConfig fromFlags =
          ConfigLoader.load(
              withChaos,
              file,
              Map.of(),
              Map.of("http.upstreams", List.of("chaos=http://10.0.0.9:9000")));

      assertThat(
              io.valentia.web.gateway.Upstreams.of(fromFile.section("http").path("upstreams"))
                  .of("chaos"))
          .extracting(Object::toString)
          .containsExactly("http://10.0.0.2:8081", "http://10.0.0.3:8081");
      assertThat(
              io.valentia.web.gateway.Upstreams.of(fromFlags.section("http").path("upstreams"))
                  .of("chaos"))
          .extracting(Object::toString)
          .containsExactly("http://10.0.0.9:9000");
    }

    @Test
    @DisplayName(
        "An upstream of an unknown role, an address that is not http://host:port and a bad"
            + " replica name are each reported with where they came from.")
    void badUpstreamsAndReplica() {
      ConfigException e =
          catchThrowableOfType(
              ConfigException.class,
              () ->
                  ConfigLoader.load(
                      withChaos,
                      null,
                      Map.of("VALENTIA_HTTP_UPSTREAMS", "chaos=ftp://h:1,nope=http://h:2"),
                      Map.of("replica", "pm 2")));

      assertThat(e.problems())
          .anySatisfy(
              p ->
                  assertThat(p)
                      .startsWith("http.upstreams (from VALENTIA_HTTP_UPSTREAMS)")
                      .contains("ftp://h:1", "http(s)://host:port"))
          .anySatisfy(p -> assertThat(p).startsWith("replica (from the command line)"));
      ConfigException unknown =
          catchThrowableOfType(
              ConfigException.class,
              () ->
                  ConfigLoader.load(
                      withChaos,
                      null,
                      Map.of("VALENTIA_HTTP_UPSTREAMS", "nope=http://h:2"),
                      Map.of()));
      assertThat(unknown.problems())
          .anySatisfy(p -> assertThat(p).contains("\"nope\" is not a role of this build"));
    }

    @Test
    @DisplayName("A replica name is kept; without one there is none.")
    void replicaName() {
      assertThat(
              ConfigLoader.load(withChaos, null, Map.of("VALENTIA_REPLICA", "pm-a"), Map.of())
                  .replica())
          .hasValue("pm-a");
      assertThat(ConfigLoader.load(withChaos, null, Map.of(), Map.of()).replica()).isEmpty();
    }

    @Test
    @DisplayName(
        "--print-config shows every value with where it came from: the flag, the variable, the"
            + " file or the default.")
    void describesOrigins() throws IOException {
      Path file = yaml("kafka:\n  replication: 3\n  properties:\n    sasl.jaas.config: secret\n");

      List<String> lines =
          ConfigLoader.describe(
              withChaos,
              file,
              Map.of("VALENTIA_HTTP_PORT", "9000"),
              Map.of("roles", List.of("chaos"), "kafka.bootstrap", "k1:9092"));

      assertThat(lines)
          .anySatisfy(l -> assertThat(l).matches("roles +\\[chaos\\] +\\(--role\\)"))
          .anySatisfy(l -> assertThat(l).matches("http\\.port +9000 +\\(env VALENTIA_HTTP_PORT\\)"))
          .anySatisfy(l -> assertThat(l).matches("kafka\\.bootstrap +k1:9092 +\\(--kafka\\)"))
          .anySatisfy(l -> assertThat(l).matches("kafka\\.replication +3 +\\(file " + file + "\\)"))
          .anySatisfy(l -> assertThat(l).matches("http\\.host +127\\.0\\.0\\.1 +\\(default\\)"));
      assertThat(String.join("\n", lines)).doesNotContain("secret").contains("******");
    }
  }

  @Nested
  @DisplayName("Kafka cluster settings")
  class ClusterSettings {

    @Test
    @DisplayName(
        "The embedded broker binds 127.0.0.1 and advertises it unless --kafka-host and"
            + " --kafka-advertised say otherwise.")
    void brokerAddress() {
      ValentiaConfig defaults = ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of());
      assertThat(defaults.kafka().brokerAddress())
          .isEqualTo(
              new io.valentia.eventbus.broker.BrokerAddress("127.0.0.1", 9092, "127.0.0.1", 0));

      ValentiaConfig wide =
          ConfigLoader.load(
              WEB_ONLY,
              null,
              Map.of("VALENTIA_KAFKA_HOST", "0.0.0.0"),
              Map.of("kafka.advertised", "kafka.lan:19092"));
      assertThat(wide.kafka().brokerAddress())
          .isEqualTo(
              new io.valentia.eventbus.broker.BrokerAddress("0.0.0.0", 9092, "kafka.lan", 19092));
      assertThat(wide.kafka().brokerAddress().loopbackOnly()).isFalse();
      assertThat(defaults.kafka().brokerAddress().loopbackOnly()).isTrue();
    }

    @Test
    @DisplayName(
        "A wildcard advertised address, or broker addresses given with an external cluster, are"
            + " reported with their key.")
    void badBrokerAddress() {
      ConfigException wildcard =
          loadFails(null, Map.of(), Map.of("kafka.advertised", "0.0.0.0:9092"));
      assertThat(problem(wildcard, "kafka.advertised")).contains("not one clients can connect to");

      ConfigException external =
          loadFails(
              null, Map.of("VALENTIA_KAFKA_BOOTSTRAP", "k1:9092"), Map.of("kafka.host", "0.0.0.0"));
      assertThat(problem(external, "kafka.host")).contains("does not run with kafka.bootstrap");
    }

    @Test
    @DisplayName(
        "min.insync.replicas defaults to 2 from replication 3 on and to 1 below, is set from"
            + " kafka.min-insync-replicas, and may not exceed the replication.")
    void minInsyncReplicas() throws IOException {
      assertThat(ConfigLoader.load(WEB_ONLY, null, Map.of(), Map.of()).kafka().minInsyncReplicas())
          .isEqualTo(1);
      ValentiaConfig three =
          ConfigLoader.load(WEB_ONLY, yaml("kafka:\n  replication: 3\n"), Map.of(), Map.of());
      assertThat(three.kafka().minInsyncReplicas()).isEqualTo(2);
      assertThat(three.kafka().settings("k:9092").minInsyncReplicas()).isEqualTo(2);
      ValentiaConfig five =
          ConfigLoader.load(
              WEB_ONLY,
              yaml("kafka:\n  replication: 5\n  min-insync-replicas: 3\n"),
              Map.of(),
              Map.of());
      assertThat(five.kafka().settings("k:9092").minInsyncReplicas()).isEqualTo(3);

      ConfigException tooMany =
          loadFails(
              yaml("kafka:\n  replication: 2\n  min-insync-replicas: 3\n"), Map.of(), Map.of());
      assertThat(problem(tooMany, "kafka.min-insync-replicas"))
          .contains("must not exceed kafka.replication (2)");
    }
  }

  private Path yaml(String text) throws IOException {
    Path file = Files.createTempFile(dir, "valentia-", ".yaml");
    Files.writeString(file, text);
    return file;
  }

  private static ConfigException loadFails(
      Path file, Map<String, String> env, Map<String, Object> flags) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.load(WEB_ONLY, file, env, flags));
    assertThat(e).as("a ConfigException").isNotNull();
    return e;
  }

  /** The one problem about {@code key}, which starts every problem's text. */
  private static String problem(ConfigException e, String key) {
    List<String> matching =
        e.problems().stream()
            .filter(p -> p.startsWith(key + " (") || p.startsWith(key + ":"))
            .toList();
    assertThat(matching).as("problems about %s in %s", key, e.problems()).hasSize(1);
    return matching.get(0);
  }
}
