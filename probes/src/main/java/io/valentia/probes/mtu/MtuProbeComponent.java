package io.valentia.probes.mtu;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.health.HealthStatePublisher;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.probes.ProbeComponent;
import io.vertx.core.Future;
import java.util.List;

/** The MTU mesh as part of the {@code probes} role: see {@link MtuConfig} for its settings. */
public final class MtuProbeComponent implements ProbeComponent {
  public static final String NAME = "mtu";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> checkConfig(JsonNode config) {
    return MtuConfig.check(config);
  }

  @Override
  public Future<?> start(ServiceContext context, JsonNode section) {
    MtuConfig config = MtuConfig.parse(section);
    String host = config.name() != null ? config.name() : MtuProbeCommand.hostname();
    MtuProbeVerticle verticle =
        new MtuProbeVerticle(
            config, HealthStatePublisher.of(context.publisher(), context.stateTables()), host);
    return context
        .vertx()
        .deployVerticle(verticle)
        .onSuccess(
            id ->
                context
                    .health()
                    .service(
                        "probes.mtu",
                        ServiceStatus.running(
                            (verticle.agentPort() < 0
                                    ? "no agent"
                                    : "agent on UDP " + verticle.agentPort())
                                + ", "
                                + config.peers().size()
                                + " peers")));
  }
}
