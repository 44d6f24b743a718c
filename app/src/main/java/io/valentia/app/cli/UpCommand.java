package io.valentia.app.cli;

import io.valentia.app.Platform;
import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ServiceCatalog;
import io.valentia.app.config.ValentiaConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code valentia up}: runs the platform until SIGTERM or Ctrl-C. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Run the platform: an embedded single-node Kafka broker (KRaft, data kept on disk), every"
          + " service, and the web server, in this JVM.",
      "With --kafka it uses an existing cluster instead; with --role it runs only those services."
    })
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory (default ./data)")
  Path data;

  @Option(names = "--http-port", paramLabel = "P", description = "web server port (default 8080)")
  Integer httpPort;

  @Option(
      names = "--http-host",
      paramLabel = "HOST",
      description = "address the web server binds (default 127.0.0.1)")
  String httpHost;

  @Option(
      names = "--kafka-port",
      paramLabel = "P",
      description = "embedded broker port (default 9092)")
  Integer kafkaPort;

  @Option(
      names = "--kafka-host",
      paramLabel = "HOST",
      description =
          "address the embedded broker binds (default 127.0.0.1; 0.0.0.0 for every address)."
              + " Beyond loopback it accepts anonymous PLAINTEXT clients: a warning is logged")
  String kafkaHost;

  @Option(
      names = "--kafka-advertised",
      paramLabel = "HOST[:PORT]",
      description =
          "address the embedded broker gives clients to connect to (default: the bind address, or"
              + " this machine's name with 0.0.0.0)")
  String kafkaAdvertised;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description = "use this Kafka cluster (host:port,...) instead of the embedded broker")
  String kafka;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties (SSL, SASL/SCRAM) for the cluster of --kafka"
              + " (VALENTIA_KAFKA_CONFIG)")
  Path kafkaConfig;

  @Option(
      names = "--role",
      paramLabel = "R",
      description = "run only this service (repeatable); default: all of this build's")
  List<String> roles;

  @Option(
      names = "--upstream",
      paramLabel = "ROLE=URL",
      description =
          "where the web role forwards the API of a role it does not run, e.g."
              + " chaos=http://10.0.0.2:8081 (repeatable; several per role for replicas)")
  List<String> upstreams;

  @Option(
      names = "--replica",
      paramLabel = "NAME",
      description =
          "this process's name among several running the same roles (postmortem replicas)")
  String replica;

  @Option(
      names = "--print-config",
      description =
          "print the effective configuration, each value with where it came from, and exit")
  boolean printConfig;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> flags = new LinkedHashMap<>();
    put(flags, "data", data == null ? null : data.toString());
    put(flags, "http.port", httpPort);
    put(flags, "http.host", httpHost);
    put(flags, "kafka.port", kafkaPort);
    put(flags, "kafka.host", kafkaHost);
    put(flags, "kafka.advertised", kafkaAdvertised);
    put(flags, "kafka.bootstrap", kafka);
    put(flags, "kafka.config", kafkaConfig == null ? null : kafkaConfig.toString());
    put(flags, "roles", roles);
    put(flags, "http.upstreams", upstreams);
    put(flags, "replica", replica);
    if (printConfig) {
      ConfigLoader.describe(ServiceCatalog.installed(), config, System.getenv(), flags)
          .forEach(System.out::println);
      return 0;
    }
    ValentiaConfig configuration = ConfigLoader.load(config, System.getenv(), flags);
    Platform platform = Platform.start(configuration, System.getenv(), System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  platform.close();
                  stopped.countDown();
                },
                "valentia-shutdown"));
    stopped.await();
    return 0;
  }

  private static void put(Map<String, Object> flags, String key, Object value) {
    if (value != null) {
      flags.put(key, value);
    }
  }
}
