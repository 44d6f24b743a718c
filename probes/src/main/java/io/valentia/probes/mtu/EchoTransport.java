package io.valentia.probes.mtu;

import java.time.Duration;

/**
 * Sends echo requests to one peer. Blocking: call it from a worker or a dedicated thread, one
 * request at a time per instance.
 */
public interface EchoTransport extends AutoCloseable {

  /** {@code udp} or {@code icmp}, as events name it. */
  String mode();

  /** Whether requests and replies can be sized apart, so each direction can be measured. */
  boolean separatesDirections();

  /** The smallest payload it can send. */
  int minimumBytes();

  /** IP plus UDP/ICMP header bytes: the path MTU is the largest passing payload plus these. */
  int headerBytes();

  /**
   * Sends one request of {@code requestBytes} payload asking for a reply of {@code replyBytes} (0:
   * only a receipt) and waits for it at most {@code timeout}. Transports that do not {@link
   * #separatesDirections()} ignore {@code replyBytes} (the reply is as large as the request).
   */
  EchoResult echo(int requestBytes, int replyBytes, Duration timeout);

  @Override
  void close();
}
