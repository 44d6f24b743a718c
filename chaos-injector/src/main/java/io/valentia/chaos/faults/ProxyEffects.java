package io.valentia.chaos.faults;

import java.util.concurrent.ThreadLocalRandom;

/**
 * What the built-in proxy does to the traffic it passes.
 *
 * @param latencyMillis added to every chunk (TCP) or datagram (UDP), each way
 * @param jitterMillis a random extra delay from 0 to this, each way
 * @param bytesPerSecond the bandwidth limit per direction (of each TCP connection, or of all UDP
 *     datagrams); 0 for none
 * @param lossPercent datagrams dropped, 0 to 100 (UDP only)
 * @param resetAfterBytes TCP: a connection chosen for a reset is reset (RST) once this many bytes
 *     have passed it, both ways together; 0 resets it as soon as it is accepted
 * @param resetProbability TCP: the chance, 0 to 1, that a connection is chosen for a reset; 0 for
 *     no resets
 */
record ProxyEffects(
    long latencyMillis,
    long jitterMillis,
    long bytesPerSecond,
    double lossPercent,
    long resetAfterBytes,
    double resetProbability) {

  /** The delay of one chunk or datagram, in milliseconds. */
  long delayMillis() {
    return latencyMillis
        + (jitterMillis > 0 ? ThreadLocalRandom.current().nextLong(jitterMillis + 1) : 0);
  }

  /** Whether to drop one datagram. */
  boolean lose() {
    return lossPercent > 0 && ThreadLocalRandom.current().nextDouble(100) < lossPercent;
  }

  /** Whether a new connection is to be reset. */
  boolean chooseReset() {
    return resetProbability > 0
        && (resetProbability >= 1 || ThreadLocalRandom.current().nextDouble() < resetProbability);
  }

  /** A bucket for one direction; null when there is no bandwidth limit. */
  TokenBucket bucket() {
    return bytesPerSecond > 0 ? new TokenBucket(bytesPerSecond) : null;
  }
}
