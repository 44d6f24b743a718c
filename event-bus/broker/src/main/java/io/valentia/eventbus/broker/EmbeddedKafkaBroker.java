package io.valentia.eventbus.broker;

import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.security.KafkaAccess;
import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.security.KafkaRole;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.SaslAuthenticationException;
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
 *
 * <p>Over 400 lines on purpose: the configuration, the formatting at the first start, the SASL and
 * ACL set-up and the waits until the broker takes sign-ins are one start-up sequence whose order is
 * the point (format before start, listeners secured before any client, credentials before the ACLs
 * that name them); split, the order would live in no one place.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER = "CONTROLLER";
  private static final String SASL = "SASL_PLAINTEXT";
  private static final String PLAIN_MODULE =
      "org.apache.kafka.common.security.plain.PlainLoginModule";

  private final KafkaRaftServer server;
  private final Path logDir;
  private final BrokerAddress address;
  private final int port;
  private final int controllerPort;
  private final KafkaCredentials credentials;
  private TransactionRepair transactionRepair;
  private volatile boolean closed;

  private EmbeddedKafkaBroker(
      KafkaRaftServer server,
      Path logDir,
      BrokerAddress address,
      int port,
      int controllerPort,
      KafkaCredentials credentials) {
    this.server = server;
    this.logDir = logDir;
    this.address = address;
    this.port = port;
    this.controllerPort = controllerPort;
    this.credentials = credentials;
  }

  /**
   * Formats {@code dataDir} when it holds no Kafka data yet, then starts the broker.
   *
   * @param dataDir where Kafka keeps its logs and metadata (created when missing)
   * @param port the client port on 127.0.0.1; 0 picks a free one
   * @throws ValentiaException when the port is taken or the data directory is unusable
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port) {
    return start(dataDir, BrokerAddress.loopback(port), null);
  }

  /**
   * Formats {@code dataDir} when it holds no Kafka data yet, then starts the broker with its client
   * listener on {@code address}, open to anyone (tests).
   */
  public static EmbeddedKafkaBroker start(Path dataDir, BrokerAddress address) {
    return start(dataDir, address, null);
  }

  /** Like {@link #start(Path, BrokerAddress, KafkaCredentials)} on 127.0.0.1:{@code port}. */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, KafkaCredentials credentials) {
    return start(dataDir, BrokerAddress.loopback(port), credentials);
  }

  /**
   * Formats {@code dataDir} when it holds no Kafka data yet, then starts the broker with its client
   * listener on {@code address}; the controller listener stays on 127.0.0.1. With {@code
   * credentials}, clients sign in with SASL/SCRAM-SHA-512 as one of {@link KafkaRole}'s principals
   * (anonymous clients are refused), Kafka's {@code StandardAuthorizer} holds the ACLs of {@link
   * KafkaAccess}, and the broker's own links (inter-broker, controller) sign in as the platform
   * principal with SASL/PLAIN, whose password is in this configuration rather than in the metadata
   * (so a data directory made before security was on starts too). The principals are added when the
   * storage is formatted and upserted, with the ACLs, at every start. A listener beyond loopback is
   * logged as a warning: without credentials it accepts anonymous clients, and with them its
   * traffic is still not encrypted.
   *
   * @param dataDir where Kafka keeps its logs and metadata (created when missing)
   * @param address where clients connect, and what the broker tells them to connect to
   * @param credentials the principals' passwords; null for a broker open to anyone (tests)
   * @throws ValentiaException when the port is taken or the data directory is unusable
   */
  public static EmbeddedKafkaBroker start(
      Path dataDir, BrokerAddress address, KafkaCredentials credentials) {
    return start(dataDir, address, credentials, true);
  }

  /**
   * As {@link #start(Path, BrokerAddress, KafkaCredentials)}, without the {@link TransactionRepair}
   * (for a test that shows what it would find).
   */
  static EmbeddedKafkaBroker startWithoutTransactionRepair(
      Path dataDir, KafkaCredentials credentials) {
    return start(dataDir, BrokerAddress.loopback(0), credentials, false);
  }

  private static EmbeddedKafkaBroker start(
      Path dataDir, BrokerAddress address, KafkaCredentials credentials, boolean repair) {
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
    // after a crash the controller (in this process) keeps the dead broker's registration until
    // its session ends, and the new broker may register only then: 9 s by default, 6 s here. Not
    // shorter: on two busy cores the controller's queue can hold a heartbeat for seconds, and a
    // session that ends then fences the only broker.
    props.put("broker.session.timeout.ms", "6000");
    props.put("broker.heartbeat.interval.ms", "1500");
    if (credentials != null) {
      secure(props, credentials);
    }
    KafkaConfig config = new KafkaConfig(props, false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(config, logDir, credentials);
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
    if (credentials != null) {
      try {
        grantAccess(advertised(props), credentials);
      } catch (RuntimeException e) {
        server.shutdown();
        server.awaitShutdown();
        throw e;
      }
    }
    LOG.info(
        "embedded Kafka on {}:{}, advertised as {} ({}, data {}) started in {} ms",
        address.bindHost(),
        clientPort,
        address.advertised(clientPort),
        credentials != null ? "SASL/SCRAM, ACLs" : "open to anyone",
        logDir,
        (System.nanoTime() - started) / 1_000_000);
    if (!address.loopbackOnly()) {
      if (credentials == null) {
        LOG.warn(
            "the embedded Kafka listens on {}:{} beyond this machine in PLAINTEXT, without TLS or"
                + " SASL: anyone who can reach that port can read every topic and write"
                + " valentia.control. Bind it to 127.0.0.1 (the default), or firewall the port to"
                + " the hosts that run Valentia's roles.",
            address.bindHost(),
            clientPort);
      } else {
        LOG.warn(
            "the embedded Kafka listens on {}:{} beyond this machine with SASL but without TLS:"
                + " clients must sign in, but what they read and write crosses the network"
                + " unencrypted. Use an external cluster with SSL (kafka.properties) where the"
                + " network is not trusted.",
            address.bindHost(),
            clientPort);
      }
    }
    EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(server, logDir, address, clientPort, controllerPort, credentials);
    if (repair) {
      broker.transactionRepair =
          new TransactionRepair(
              platformClient(
                  address.advertised(clientPort), credentials, "valentia-broker-transactions"),
              Duration.ofMillis(config.getInt("transaction.max.timeout.ms")));
    }
    return broker;
  }

  /**
   * Turns the open listeners of {@code props} into authenticated ones, with the authorizer: the
   * {@code PLAINTEXT} listener becomes {@code SASL_PLAINTEXT} on the same address, and every
   * listener (the controller's too) asks for SASL.
   */
  private static void secure(Properties props, KafkaCredentials credentials) {
    String adminPassword = credentials.password(KafkaRole.ADMIN);
    String plain =
        PLAIN_MODULE
            + " required username=\""
            + KafkaRole.ADMIN.principal()
            + "\" password=\""
            + adminPassword
            + "\" user_"
            + KafkaRole.ADMIN.principal()
            + "=\""
            + adminPassword
            + "\";";
    for (String key : List.of("listeners", "advertised.listeners")) {
      props.put(key, props.getProperty(key).replaceAll("(^|,)PLAINTEXT://", "$1" + SASL + "://"));
    }
    StringBuilder protocols = new StringBuilder();
    for (String entry : props.getProperty("listener.security.protocol.map").split(",")) {
      String name = entry.substring(0, entry.indexOf(':'));
      protocols.append(protocols.isEmpty() ? "" : ",");
      protocols.append(name.equals("PLAINTEXT") ? SASL : name).append(':').append(SASL);
    }
    props.put("listener.security.protocol.map", protocols.toString());
    props.put("inter.broker.listener.name", SASL);
    props.put("sasl.enabled.mechanisms", KafkaCredentials.MECHANISM + ",PLAIN");
    props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    String client = "listener.name." + SASL.toLowerCase(java.util.Locale.ROOT) + ".";
    props.put(client + "sasl.enabled.mechanisms", KafkaCredentials.MECHANISM + ",PLAIN");
    props.put(
        client + "scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    props.put(client + "plain.sasl.jaas.config", plain);
    props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    props.put("listener.name.controller.plain.sasl.jaas.config", plain);
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", KafkaRole.ADMIN.aclPrincipal());
    props.put("allow.everyone.if.no.acl.found", "false");
  }

  /** The advertised {@code host:port} of the SASL listener. */
  private static String advertised(Properties props) {
    for (String listener : props.getProperty("advertised.listeners").split(",")) {
      if (listener.startsWith(SASL + "://")) {
        return listener.substring(SASL.length() + 3);
      }
    }
    throw new IllegalStateException("no " + SASL + " listener is advertised");
  }

  /** Upserts the principals and grants the ACLs, signed in as the platform principal (PLAIN). */
  private static void grantAccess(String bootstrap, KafkaCredentials credentials) {
    try (Admin admin =
        Admin.create(platformClient(bootstrap, credentials, "valentia-broker-access"))) {
      KafkaAccess.apply(admin, credentials);
    }
    awaitScramSignIn(bootstrap, credentials);
  }

  /**
   * The properties of an admin client of the broker itself: signed in as the platform principal
   * with SASL/PLAIN when there are credentials, in the clear otherwise.
   */
  private static Map<String, Object> platformClient(
      String bootstrap, KafkaCredentials credentials, String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("client.id", clientId);
    if (credentials != null) {
      props.put("security.protocol", SASL);
      props.put("sasl.mechanism", "PLAIN");
      props.put(
          "sasl.jaas.config",
          PLAIN_MODULE
              + " required username=\""
              + KafkaRole.ADMIN.principal()
              + "\" password=\""
              + credentials.password(KafkaRole.ADMIN)
              + "\";");
    }
    return props;
  }

  /**
   * Waits until the broker takes a SCRAM sign-in. Credentials upserted after the start reach the
   * broker's authenticator a moment after the controller committed them, and a client that signs in
   * sooner is refused; a data directory formatted without them (by a release before SASL) gets them
   * only this way.
   */
  private static void awaitScramSignIn(String bootstrap, KafkaCredentials credentials) {
    Map<String, Object> props = new HashMap<>(credentials.clientProperties(KafkaRole.ADMIN));
    props.put("bootstrap.servers", bootstrap);
    props.put("client.id", "valentia-broker-sign-in");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Admin admin = Admin.create(props)) {
        admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof SaslAuthenticationException)
            || System.nanoTime() > deadline) {
          throw new ValentiaException(
              "the embedded Kafka broker refuses its own credentials: " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new ValentiaException("the embedded Kafka broker does not answer a sign-in", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ValentiaException("interrupted while signing in to the embedded Kafka", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ValentiaException("interrupted while signing in to the embedded Kafka", e);
      }
    }
  }

  private static void format(KafkaConfig config, Path logDir, KafkaCredentials credentials) {
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
          .setScramArguments(credentials == null ? List.of() : credentials.scramArguments())
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

  /** The principals' passwords; null when the broker is open to anyone. */
  public KafkaCredentials credentials() {
    return credentials;
  }

  /** Stops the broker and waits for it; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long started = System.nanoTime();
    if (transactionRepair != null) {
      transactionRepair.close();
    }
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
