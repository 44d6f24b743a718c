package io.valentia.probes.denials;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DenialReader} on its own thread (its reads block) while deployed, and reports the
 * watcher's trouble as health checks: {@code DENIALS_SUPPRESSED} when the kernel suppressed audit
 * lines, {@code DENIALS_SOURCE_FAILED} when a source stopped.
 */
final class DenialsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DenialsVerticle.class);

  private final ServiceContext context;
  private final DenialReader reader;
  private final DenialWatcher watcher;
  private Thread thread;
  private long timer;

  DenialsVerticle(ServiceContext context, DenialReader reader, DenialWatcher watcher) {
    this.context = context;
    this.reader = reader;
    this.watcher = watcher;
  }

  @Override
  public Future<?> start() {
    thread = new Thread(this::readUntilStopped, "denials-watcher");
    thread.setDaemon(true);
    thread.start();
    timer = vertx.setPeriodic(5000, id -> reportSuppressed());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    reader.close();
    // the reader drains what it holds (bursts still in their window) before its thread ends
    return vertx.executeBlocking(
        () -> {
          thread.join(10_000);
          return null;
        });
  }

  private void readUntilStopped() {
    try {
      List<String> failures = reader.run();
      if (!failures.isEmpty()) {
        context
            .health()
            .raise(
                "DENIALS_SOURCE_FAILED",
                new HealthCheck("HEALTH_WARN", "denial sources stopped", failures));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("denial watcher stopped", e);
      context
          .health()
          .service(DenialsComponent.SERVICE, new ServiceStatus("failed", e.getMessage()));
    }
  }

  private void reportSuppressed() {
    long suppressed = watcher.stats().suppressed();
    if (suppressed > 0) {
      context
          .health()
          .raise(
              "DENIALS_SUPPRESSED",
              new HealthCheck(
                  "HEALTH_WARN",
                  suppressed + " audit records suppressed by the kernel's rate limit",
                  List.of(
                      "denials may be among them (kauditd_printk_skb: N callbacks suppressed)")));
    }
  }
}
