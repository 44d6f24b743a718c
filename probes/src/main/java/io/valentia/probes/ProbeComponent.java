package io.valentia.probes;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.service.ServiceContext;
import io.vertx.core.Future;
import java.util.List;

/**
 * One probe of the {@code probes} role (the MTU mesh, Ceph ingest, the denial watcher, ...). Each
 * has a subsection of the {@code probes:} configuration named {@link #name()}; a probe whose
 * subsection is absent or has {@code enabled: false} does not run, unless {@link
 * #enabledByDefault()}.
 */
public interface ProbeComponent {

  /** The subsection name, e.g. {@code mtu}. */
  String name();

  /** Whether it runs when the configuration does not mention it. */
  default boolean enabledByDefault() {
    return false;
  }

  /**
   * Every problem of its subsection, each naming its key relative to the subsection (e.g. {@code
   * peers[0]: not host:port}).
   */
  default List<String> checkConfig(JsonNode config) {
    return List.of();
  }

  /** Deploys its verticles; the future completes once it runs. */
  Future<?> start(ServiceContext context, JsonNode config);
}
