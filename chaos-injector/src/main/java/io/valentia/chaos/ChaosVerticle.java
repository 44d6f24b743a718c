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

  ChaosVerticle(ChaosInjector injector, ExecutorService runs) {
    this.injector = injector;
    this.runs = runs;
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          injector.close();
          runs.shutdownNow();
          return null;
        });
  }
}
