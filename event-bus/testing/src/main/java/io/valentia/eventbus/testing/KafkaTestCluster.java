package io.valentia.eventbus.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A Kafka cluster in this JVM: one KRaft controller and several brokers, each a {@link
 * KafkaRaftServer}, on 127.0.0.1 with ports chosen once and kept across restarts. Replication
 * defaults to every broker, and {@code min.insync.replicas} to the given value, for Kafka's own
 * topics and for topics created without settings.
 *
 * <p>{@link #stop(int)} shuts one broker down (a controlled shutdown: the controller removes it
 * from every ISR at once) and {@link #start(int)} brings it back on the same data. The controller
 * is a node of its own so that stopping a broker never touches the quorum (and a close does not
 * wait for a quorum that is gone). Not thread-safe: one test thread drives it. Whoever starts it
 * closes it, after the clients.
 */
public final class KafkaTestCluster implements AutoCloseable {
  private static final String CONTROLLER = "CONTROLLER";
  private static final int CONTROLLER_ID = 1000;

  private final Path dir;
  private final String clusterId = Uuid.randomUuid().toString();
  private final int[] clientPorts;
  private final int controllerPort = freePort();
  private final KafkaRaftServer[] servers;
  private final int minInsync;
  private KafkaRaftServer controller;

  private KafkaTestCluster(Path dir, int nodes, int minInsync) {
    this.dir = dir;
    this.clientPorts = new int[nodes];
    this.servers = new KafkaRaftServer[nodes];
    this.minInsync = minInsync;
    for (int i = 0; i < nodes; i++) {
      clientPorts[i] = freePort();
    }
  }

  /**
   * Formats and starts the controller and {@code nodes} brokers under {@code dir} (one
   * sub-directory each) and returns once every broker has started.
   *
   * @param minInsync the cluster's default {@code min.insync.replicas}
   */
  public static KafkaTestCluster start(Path dir, int nodes, int minInsync) {
    KafkaTestCluster cluster = new KafkaTestCluster(dir, nodes, minInsync);
    try {
      cluster.controller = cluster.startNode(CONTROLLER_ID);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    // a broker's start waits until the controller unfences it: start them side by side
    List<Thread> starting = new ArrayList<>();
    List<RuntimeException> failures = new ArrayList<>();
    for (int id = 1; id <= nodes; id++) {
      int node = id;
      Thread thread =
          new Thread(
              () -> {
                try {
                  cluster.start(node);
                } catch (RuntimeException e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              },
              "kafka-test-cluster-start-" + id);
      thread.start();
      starting.add(thread);
    }
    for (Thread thread : starting) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (!failures.isEmpty()) {
      cluster.close();
      throw failures.get(0);
    }
    return cluster;
  }

  /** {@code 127.0.0.1:p1,127.0.0.1:p2,...} */
  public String bootstrapServers() {
    List<String> addresses = new ArrayList<>();
    for (int port : clientPorts) {
      addresses.add("127.0.0.1:" + port);
    }
    return String.join(",", addresses);
  }

  /** How many brokers the cluster has (running or not). */
  public int size() {
    return servers.length;
  }

  /** Whether broker {@code id} (1-based) runs. */
  public boolean running(int id) {
    return servers[id - 1] != null;
  }

  /** Starts broker {@code id} (1-based) on its data and ports; nothing happens when it runs. */
  public void start(int id) {
    if (servers[id - 1] == null) {
      servers[id - 1] = startNode(id);
    }
  }

  private KafkaRaftServer startNode(int id) {
    KafkaConfig config = new KafkaConfig(properties(id), false);
    Path logDir = logDir(id);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(config, id, logDir);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      throw e;
    }
    return server;
  }

  /**
   * Shuts broker {@code id} (1-based) down and waits for it; nothing happens when it is stopped.
   */
  public void stop(int id) {
    KafkaRaftServer server = servers[id - 1];
    servers[id - 1] = null;
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
  }

  /** Stops every broker, then the controller. */
  @Override
  public void close() {
    for (int id = servers.length; id >= 1; id--) {
      try {
        stop(id);
      } catch (RuntimeException e) {
        // the others still stop
      }
    }
    if (controller != null) {
      controller.shutdown();
      controller.awaitShutdown();
      controller = null;
    }
  }

  private Path logDir(int id) {
    Path logDir = dir.resolve("node-" + id).toAbsolutePath();
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return logDir;
  }

  private Properties properties(int id) {
    int replication = servers.length;
    Properties props = new Properties();
    props.put("node.id", String.valueOf(id));
    if (id == CONTROLLER_ID) {
      props.put("process.roles", "controller");
      props.put("listeners", CONTROLLER + "://127.0.0.1:" + controllerPort);
      // topic defaults are the controller's since it creates topics
      props.put("default.replication.factor", String.valueOf(replication));
      props.put("num.partitions", "1");
    } else {
      props.put("process.roles", "broker");
      props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPorts[id - 1]);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPorts[id - 1]);
      props.put("inter.broker.listener.name", "PLAINTEXT");
    }
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", CONTROLLER);
    props.put("controller.quorum.voters", CONTROLLER_ID + "@127.0.0.1:" + controllerPort);
    props.put("log.dirs", logDir(id).toString());
    props.put("min.insync.replicas", String.valueOf(minInsync));
    props.put("offsets.topic.replication.factor", String.valueOf(replication));
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", String.valueOf(replication));
    props.put("transaction.state.log.min.isr", String.valueOf(minInsync));
    props.put("transaction.state.log.num.partitions", "3");
    props.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
    props.put("share.coordinator.state.topic.min.isr", String.valueOf(minInsync));
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    props.put("log.cleaner.threads", "1");
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("num.replica.fetchers", "1");
    props.put("background.threads", "2");
    return props;
  }

  private void format(KafkaConfig config, int id, Path logDir) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(id)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName(CONTROLLER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("could not format " + logDir + ": " + e.getMessage(), e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
