package io.valentia.probes.ceph;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.health.HealthStatePublisher;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.probes.ProbeComponent;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.util.List;

/** Ceph heartbeat ingest as part of the {@code probes} role: see {@link CephConfig}. */
public final class CephProbeComponent implements ProbeComponent {
  public static final String NAME = "ceph";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> checkConfig(JsonNode config) {
    if (config.isObject() && !config.path("enabled").asBoolean(true)) {
      return List.of();
    }
    return CephConfig.check(config);
  }

  @Override
  public Future<?> start(ServiceContext context, JsonNode section) {
    CephConfig config = CephConfig.parse(section);
    String host = config.name() != null ? config.name() : hostname();
    return context
        .vertx()
        .deployVerticle(
            new CephHeartbeatVerticle(
                config,
                HealthStatePublisher.of(context.publisher(), context.stateTables()),
                context.health(),
                host))
        .onSuccess(
            id ->
                context
                    .health()
                    .service(
                        "probes.ceph",
                        ServiceStatus.running(
                            "every "
                                + config.interval().toSeconds()
                                + " s: "
                                + String.join(" ", config.osdNetworkCommand()))));
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
