package io.valentia.chaos;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.ExecutorService;

/**
 * Holds a process's injector for the life of its Vert.x: when Vert.x closes, every run is stopped
 * (its rollbacks run) and every active fault is reverted, off the event loop.
 */
final class ChaosVerticle extends VerticleBase {
  private final ChaosInjector injector;
  private final ExecutorService runs;
  private final AutoCloseable leadership;

  ChaosVerticle(ChaosInjector injector, ExecutorService runs, AutoCloseable leadership) {
    this.injector = injector;
    this.runs = runs;
    this.leadership = leadership;
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          leadership.close(); // another injector leads the schedules at once
          injector.close();
          runs.shutdownNow();
          return null;
        });
  }
}
