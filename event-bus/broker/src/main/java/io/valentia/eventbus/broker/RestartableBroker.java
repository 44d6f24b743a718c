package io.valentia.eventbus.broker;

import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.service.BrokerControl;
import java.nio.file.Path;

/**
 * An {@link EmbeddedKafkaBroker} that can be stopped and started again on the same port and data
 * directory (a fresh server each time: Kafka's server cannot be restarted in place). Closing it
 * stops it for good. Thread-safe.
 */
public final class RestartableBroker implements BrokerControl, AutoCloseable {
  private final Path dataDir;
  private final BrokerAddress address;
  private final KafkaCredentials credentials;
  private EmbeddedKafkaBroker current;
  private boolean closed;

  private RestartableBroker(EmbeddedKafkaBroker first) {
    this.dataDir = first.dataDir();
    this.address = first.address();
    this.credentials = first.credentials();
    this.current = first;
  }

  /**
   * Starts a broker like {@link EmbeddedKafkaBroker#start}; a port of 0 is chosen once and kept
   * across restarts.
   */
  public static RestartableBroker start(Path dataDir, int port) {
    return start(dataDir, BrokerAddress.loopback(port), null);
  }

  /**
   * Starts a broker like {@link EmbeddedKafkaBroker#start(Path, int, KafkaCredentials)}; a port of
   * 0 is chosen once and kept across restarts.
   */
  public static RestartableBroker start(Path dataDir, int port, KafkaCredentials credentials) {
    return start(dataDir, BrokerAddress.loopback(port), credentials);
  }

  /**
   * Starts a broker like {@link EmbeddedKafkaBroker#start(Path, BrokerAddress, KafkaCredentials)};
   * a port of 0 is chosen once and kept across restarts, as are the addresses and credentials.
   */
  public static RestartableBroker start(
      Path dataDir, BrokerAddress address, KafkaCredentials credentials) {
    return new RestartableBroker(EmbeddedKafkaBroker.start(dataDir, address, credentials));
  }

  /**
   * Starts a broker like {@link EmbeddedKafkaBroker#start(Path, BrokerAddress)}; a port of 0 is
   * chosen once and kept across restarts, as are the bind and advertised addresses.
   */
  public static RestartableBroker start(Path dataDir, BrokerAddress address) {
    return new RestartableBroker(EmbeddedKafkaBroker.start(dataDir, address));
  }

  /** The advertised {@code host:port}. */
  @Override
  public String bootstrapServers() {
    return address.advertised(address.port());
  }

  public int port() {
    return address.port();
  }

  /** Where the client listener is bound and what it advertises. */
  public BrokerAddress address() {
    return address;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The principals' passwords; null when the broker is open to anyone. */
  public KafkaCredentials credentials() {
    return credentials;
  }

  @Override
  public synchronized boolean running() {
    return current != null;
  }

  @Override
  public synchronized void stop() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new ValentiaException("the embedded Kafka broker is shutting down; not restarted");
    }
    if (current == null) {
      current = EmbeddedKafkaBroker.start(dataDir, address, credentials);
    }
  }

  /** Stops the broker for good; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    stop();
  }
}
