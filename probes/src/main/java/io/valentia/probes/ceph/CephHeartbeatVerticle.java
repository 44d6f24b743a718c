package io.valentia.probes.ceph;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.kafka.EventPublisher;
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
 * next interval tries again; a command that cannot run, fails, times out or prints something that
 * is not its format raises {@value #COMMAND_CHECK} (HEALTH_WARN, naming the command and the error)
 * until a run succeeds.
 */
public final class CephHeartbeatVerticle extends VerticleBase {
  /** The health check raised while a configured Ceph command fails. */
  public static final String COMMAND_CHECK = "CEPH_COMMAND_FAILED";

  private static final Logger LOG = LoggerFactory.getLogger(CephHeartbeatVerticle.class);

  private final CephConfig config;
  private final EventPublisher publisher;
  private final CephHeartbeatIngest ingest;
  private final Map<String, HealthChanged> lastChecks = new HashMap<>();
  private final HealthRegistry health;
  private long timer = -1;
  private volatile boolean stopped;
  private String failing;

  /**
   * @param health where {@value #COMMAND_CHECK} is raised and cleared
   */
  public CephHeartbeatVerticle(
      CephConfig config, EventPublisher publisher, HealthRegistry health, String host) {
    this.config = config;
    this.publisher = publisher;
    this.health = health;
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
        .onComplete(this::reportCommand)
        .compose(this::publish)
        .onFailure(e -> LOG.warn("Ceph heartbeat ingest failed: {}", e.getMessage()))
        .onComplete(
            x -> {
              if (!stopped) {
                timer = vertx.setTimer(config.interval().toMillis(), t -> reading());
              }
            });
  }

  private void reportCommand(io.vertx.core.AsyncResult<CephHeartbeatIngest.Reading> result) {
    if (result.succeeded()) {
      if (failing != null) {
        health.clear(COMMAND_CHECK);
        failing = null;
      }
    } else {
      String problem = String.valueOf(result.cause().getMessage());
      if (!problem.equals(failing)) {
        failing = problem;
        health.raise(
            COMMAND_CHECK,
            new HealthCheck(
                "HEALTH_WARN",
                "a Ceph command failed or printed something that is not its format",
                List.of(problem)));
      }
    }
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
    List<HealthChanged> checks = reading.allChecks();
    java.util.Set<String> reported = new java.util.HashSet<>();
    checks.forEach(c -> reported.add(c.check()));
    for (String gone : List.copyOf(lastChecks.keySet())) {
      if (!reported.contains(gone) && !lastChecks.get(gone).status().equals("HEALTH_OK")) {
        // a check Ceph no longer reports has cleared
        checks.add(new HealthChanged(gone, "HEALTH_OK", "", List.of(), 0));
      }
    }
    for (HealthChanged check : checks) {
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
