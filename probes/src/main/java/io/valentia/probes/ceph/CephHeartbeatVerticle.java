package io.valentia.probes.ceph;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventPublisher;
import io.valentia.eventbus.payload.HealthChanged;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured Ceph commands every interval (on a worker thread), ingests their output and
 * publishes the {@code probe.osd.ping} events and, when a slow-ping check changes (and after the
 * first reading), {@code health.changed}. A failing command or unreadable output is logged and the
 * next interval tries again.
 */
public final class CephHeartbeatVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CephHeartbeatVerticle.class);

  private final CephConfig config;
  private final EventPublisher publisher;
  private final CephHeartbeatIngest ingest;
  private final Map<String, HealthChanged> lastChecks = new HashMap<>();
  private long timer = -1;
  private volatile boolean stopped;

  public CephHeartbeatVerticle(CephConfig config, EventPublisher publisher, String host) {
    this.config = config;
    this.publisher = publisher;
    this.ingest = new CephHeartbeatIngest(host, config.thresholdMs());
  }

  @Override
  public Future<?> start() {
    vertx.runOnContext(v -> reading());
    return Future.succeededFuture();
  }

  private void reading() {
    if (stopped) {
      return;
    }
    vertx
        .executeBlocking(this::read, false)
        .compose(this::publish)
        .onFailure(e -> LOG.warn("Ceph heartbeat ingest failed: {}", e.getMessage()))
        .onComplete(
            x -> {
              if (!stopped) {
                timer = vertx.setTimer(config.interval().toMillis(), t -> reading());
              }
            });
  }

  private CephHeartbeatIngest.Reading read() {
    String dump = CommandRunner.run(config.osdNetworkCommand(), config.commandTimeout());
    String health =
        config.healthDetailCommand().isEmpty()
            ? null
            : CommandRunner.run(config.healthDetailCommand(), config.commandTimeout());
    CephHeartbeatIngest.Reading reading = ingest.ingest(dump, health);
    if (!reading.problems().isEmpty()) {
      LOG.warn("Ceph heartbeat input skipped: {}", reading.problems());
    }
    return reading;
  }

  private Future<?> publish(CephHeartbeatIngest.Reading reading) {
    List<CloudEvent> events = new ArrayList<>(reading.pings());
    for (HealthChanged check : reading.checks()) {
      if (!check.equals(lastChecks.put(check.check(), check))) {
        events.add(ingest.health(check));
      }
    }
    List<Future<?>> published = new ArrayList<>();
    events.forEach(e -> published.add(publisher.publish(e)));
    return Future.all(published);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
