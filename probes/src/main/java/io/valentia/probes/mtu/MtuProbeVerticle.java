package io.valentia.probes.mtu;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.HealthChanged;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTU mesh on one host: the UDP echo agent (when configured) and a prober that probes every
 * peer each interval and publishes {@code probe.mtu.ping}, {@code probe.mtu.mismatch} and, when a
 * check changes, {@code health.changed}. Sockets and the probing run on worker threads; a round
 * starts only after the previous one is published.
 */
public final class MtuProbeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MtuProbeVerticle.class);

  private final MtuConfig config;
  private final EventPublisher publisher;
  private final MtuEvents events;
  private final MtuHealth health;
  private MtuEchoAgent agent;
  private MtuMeshProber prober;
  private long timer = -1;
  private volatile boolean stopped;

  /**
   * @param host how this host names itself in events
   */
  public MtuProbeVerticle(MtuConfig config, EventPublisher publisher, String host) {
    this.config = config;
    this.publisher = publisher;
    this.events = new MtuEvents(host);
    this.health = new MtuHealth(host);
  }

  @Override
  public Future<?> start() {
    Future<?> agentStarted =
        config.agent()
            ? vertx
                .executeBlocking(
                    () ->
                        MtuEchoAgent.start(
                            new InetSocketAddress(config.agentBind(), config.agentPort())))
                .onSuccess(
                    a -> {
                      agent = a;
                      LOG.info("MTU echo agent on UDP {}", a.listening());
                    })
            : Future.succeededFuture();
    return agentStarted.onSuccess(
        v -> {
          if (!config.peers().isEmpty()) {
            prober = new MtuMeshProber(config.settings());
            vertx.runOnContext(x -> round());
          }
        });
  }

  /** The agent's UDP port; -1 when no agent runs. */
  public int agentPort() {
    return agent == null ? -1 : agent.port();
  }

  private void round() {
    if (stopped) {
      return;
    }
    vertx
        .executeBlocking(() -> prober.round(config.peers()), false)
        .compose(this::publish)
        .onFailure(e -> LOG.warn("MTU probe round failed: {}", e.toString()))
        .onComplete(
            x -> {
              if (!stopped) {
                timer = vertx.setTimer(config.interval().toMillis(), t -> round());
              }
            });
  }

  private Future<?> publish(List<PeerReport> reports) {
    List<CloudEvent> out = new ArrayList<>(events.of(reports));
    for (HealthChanged change : health.update(reports)) {
      out.add(events.health(change));
    }
    List<Future<?>> published = new ArrayList<>();
    for (CloudEvent event : out) {
      published.add(publisher.publish(event));
    }
    return Future.all(published);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return vertx.executeBlocking(
        () -> {
          if (prober != null) {
            prober.close();
          }
          if (agent != null) {
            agent.close();
          }
          return null;
        });
  }
}
