package io.valentia.eventbus.broker;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one), running in this
 * JVM on Kafka's own server classes. Data lives on disk under the given directory and survives
 * restarts, also on other ports; standard Kafka tools connect to {@link #bootstrapServers()}.
 *
 * <p>Kafka registers no shutdown hook in embedded mode: whoever starts it closes it (stop clients
 * first; a consumer whose broker is gone waits for its timeout when closed).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER = "CONTROLLER";

  private final KafkaRaftServer server;
  private final Path logDir;
  private final BrokerAddress address;
  private final int port;
  private final int controllerPort;
  private volatile boolean closed;

  private EmbeddedKafkaBroker(
      KafkaRaftServer server, Path logDir, BrokerAddress address, int port, int controllerPort) {
    this.server = server;
    this.logDir = logDir;
    this.address = address;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Formats {@code dataDir} when it holds no Kafka data yet, then starts the broker.
   *
   * @param dataDir where Kafka keeps its logs and metadata (created when missing)
   * @param port the client port on 127.0.0.1; 0 picks a free one
   * @throws ValentiaException when the port is taken or the data directory is unusable
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port) {
    return start(dataDir, BrokerAddress.loopback(port));
  }

  /**
   * Formats {@code dataDir} when it holds no Kafka data yet, then starts the broker with its client
   * listener on {@code address}. The controller listener stays on 127.0.0.1. A listener beyond
   * loopback is logged as a warning: it accepts anonymous clients in plain text.
   *
   * @param dataDir where Kafka keeps its logs and metadata (created when missing)
   * @param address where clients connect, and what the broker tells them to connect to
   * @throws ValentiaException when the port is taken or the data directory is unusable
   */
  public static EmbeddedKafkaBroker start(Path dataDir, BrokerAddress address) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Kafka data directory " + dataDir, e);
    }
    Path logDir = dataDir.toAbsolutePath();
    int clientPort =
        address.port() == 0
            ? freePort(address.bindHost())
            : requireFree(address.bindHost(), address.port());
    int controllerPort = freePort(BrokerAddress.LOOPBACK);
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    props.put(
        "listeners",
        "PLAINTEXT://"
            + address.listenerHost()
            + ":"
            + clientPort
            + ","
            + CONTROLLER
            + "://127.0.0.1:"
            + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://" + address.advertised(clientPort));
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("controller.listener.names", CONTROLLER);
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    props.put("log.dirs", logDir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    // one node needs no 50 transaction-log partitions to load at every start (Kafka uses the
    // count of an existing topic, so an older data directory keeps its 50)
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    // the default dedupe buffer takes 128 MiB of heap for a cleaner we barely use
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    props.put("log.cleaner.threads", "1");
    KafkaConfig config = new KafkaConfig(props, false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(config, logDir);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    long started = System.nanoTime();
    try {
      server.startup();
    } catch (RuntimeException e) {
      try {
        server.shutdown();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new ValentiaException("the embedded Kafka broker did not start: " + e.getMessage(), e);
    }
    LOG.info(
        "embedded Kafka on {}:{}, advertised as {} (data {}) started in {} ms",
        address.bindHost(),
        clientPort,
        address.advertised(clientPort),
        logDir,
        (System.nanoTime() - started) / 1_000_000);
    if (!address.loopbackOnly()) {
      LOG.warn(
          "the embedded Kafka listens on {}:{} beyond this machine in PLAINTEXT, without TLS or"
              + " SASL: anyone who can reach that port can read every topic and write"
              + " valentia.control. Bind it to 127.0.0.1 (the default), or firewall the port to"
              + " the hosts that run Valentia's roles.",
          address.bindHost(),
          clientPort);
    }
    return new EmbeddedKafkaBroker(server, logDir, address, clientPort, controllerPort);
  }

  private static void format(KafkaConfig config, Path logDir) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName(CONTROLLER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .run();
    } catch (Exception e) {
      throw new ValentiaException(
          "could not format " + logDir + " for Kafka: " + e.getMessage(), e);
    }
  }

  /** The advertised {@code host:port}: {@code 127.0.0.1:PORT} unless configured otherwise. */
  public String bootstrapServers() {
    return address.advertised(port);
  }

  /** Where the client listener is bound and what it advertises (with the port it got). */
  public BrokerAddress address() {
    return new BrokerAddress(
        address.bindHost(),
        port,
        address.advertisedHost(),
        address.advertisedPort() == 0 ? port : address.advertisedPort());
  }

  public int port() {
    return port;
  }

  /** The controller (KRaft quorum) port; chosen at start, not for clients. */
  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return logDir;
  }

  /** Stops the broker and waits for it; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long started = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    LOG.info("embedded Kafka stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, inet(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  private static int requireFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, inet(host))) {
      socket.setReuseAddress(true);
      return port;
    } catch (IOException e) {
      throw new ValentiaException(
          "port "
              + port
              + " on "
              + host
              + " is taken: is another Kafka (or Valentia) running? Choose another"
              + " with --kafka-port, or use that cluster with --kafka "
              + (BrokerAddress.isWildcard(host) ? BrokerAddress.LOOPBACK : host)
              + ":"
              + port);
    }
  }

  private static InetAddress inet(String host) {
    try {
      return InetAddress.getByName(BrokerAddress.unbracketed(host));
    } catch (java.net.UnknownHostException e) {
      throw new ValentiaException(
          "cannot bind the embedded Kafka to " + host + ": unknown address (--kafka-host)", e);
    }
  }
}
