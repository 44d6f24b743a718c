package io.valentia.chaos.faults;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Vert.x one proxy runs on: a single event loop of daemon threads, so everything a proxy does
 * happens on one thread (no locks) and nothing it leaves can hold the process. A proxy has its own
 * rather than the platform's, so heavy proxied traffic never delays the API, and so that reverting
 * it ({@link #close()}) ends every socket and timer it had, at once.
 */
final class ProxyRuntime implements AutoCloseable {
  private static final long WAIT_SECONDS = 10;
  private final Vertx vertx;

  private ProxyRuntime(Vertx vertx) {
    this.vertx = vertx;
  }

  static ProxyRuntime start() {
    return new ProxyRuntime(
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setUseDaemonThread(true)));
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * Waits (on a thread that is not this runtime's) for {@code future}.
   *
   * @throws Exception the future's failure, or a timeout after 10 s
   */
  <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("no answer within " + WAIT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  /**
   * Runs {@code action} on the event loop after {@code nanos} (at once, in line, when 0 or less).
   */
  void after(long nanos, Runnable action) {
    if (nanos <= 0) {
      action.run();
    } else {
      vertx.setTimer(Math.max(1, (nanos + 999_999) / 1_000_000), id -> action.run());
    }
  }

  /** Closes every socket and timer of this runtime and its threads; waits up to 10 s. */
  @Override
  public void close() {
    try {
      await(vertx.close());
    } catch (Exception e) {
      // its threads are daemons: whatever did not stop cannot hold the process
    }
  }
}
