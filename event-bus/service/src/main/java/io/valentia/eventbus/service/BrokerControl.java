package io.valentia.eventbus.service;

/**
 * Stops and starts the Kafka broker that the platform process runs itself (the embedded broker).
 * Offered to services only when there is one: a platform using an external cluster has none. While
 * the broker is stopped every Kafka client of the process waits or fails, so whoever stops it must
 * be able to start it again without Kafka. Thread-safe.
 */
public interface BrokerControl {

  /** Where clients reach the broker ({@code 127.0.0.1:PORT}); the same after a restart. */
  String bootstrapServers();

  /** Whether the broker is running now. */
  boolean running();

  /** Stops the broker and waits until it has stopped; idempotent. */
  void stop();

  /**
   * Starts the broker again, on the same port with the same data, and waits until it answers;
   * idempotent.
   *
   * @throws io.valentia.eventbus.ValentiaException when it cannot start (port taken, data unusable,
   *     or the platform is shutting down)
   */
  void start();
}
