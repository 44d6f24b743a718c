package io.valentia.app;

import java.util.concurrent.TimeUnit;

/**
 * Where a start's time goes, for the log: each step as milliseconds since the JVM started (when it
 * ended), and each service's own start time (services of one order start together).
 */
final class StartTimes {
  private final long jvmStart =
      java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
  private final StringBuffer steps = new StringBuffer();

  StartTimes() {
    lap("launcher");
  }

  /** Records that {@code step} ended now. */
  void lap(String step) {
    append(step + " done at " + (System.currentTimeMillis() - jvmStart));
  }

  /** Records that {@code service} started, {@code since} (nanoTime) being when it was asked to. */
  void took(String service, long since) {
    append(
        service
            + " took "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since)
            + " (done at "
            + (System.currentTimeMillis() - jvmStart)
            + ")");
  }

  private synchronized void append(String step) {
    if (steps.length() > 0) {
      steps.append("; ");
    }
    steps.append(step);
  }

  @Override
  public synchronized String toString() {
    return steps.toString();
  }
}
