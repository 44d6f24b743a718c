package io.valentia.probes;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code probes} role: runs every enabled {@link ProbeComponent}. Configuration:
 *
 * <pre>
 * probes:
 *   mtu: {enabled: true, ...}      # each probe's own subsection
 * </pre>
 */
public final class ProbesService implements ValentiaService {
  public static final String ROLE = "probes";

  /** Every probe of this build. */
  static List<ProbeComponent> components() {
    return List.of(
        new io.valentia.probes.denials.DenialsComponent(),
        new io.valentia.probes.frames.FramesProbe(),
        new io.valentia.probes.leases.LeasesProbe(),
        new io.valentia.probes.mtu.MtuProbeComponent(),
        new io.valentia.probes.ceph.CephProbeComponent());
  }

  @Override
  public String role() {
    return ROLE;
  }

  @Override
  public List<String> apiPaths() {
    return List.of("/leases");
  }

  @Override
  public String description() {
    return "probes that watch real systems";
  }

  @Override
  public List<String> checkConfig(JsonNode section) {
    ConfigSection probes = ConfigSection.of(section);
    if (!section.isMissingNode() && !section.isObject()) {
      probes.problem("", "must be a mapping of probe names to their settings");
      return probes.problemLines();
    }
    List<String> known = components().stream().map(ProbeComponent::name).toList();
    probes.checkKeyNames(
        known, (name, all) -> "unknown probe (known: " + String.join(", ", known) + ")");
    for (ProbeComponent component : components()) {
      ConfigSection config = probes.section(component.name());
      if (!config.node().isMissingNode()) {
        config.adopt(component.checkConfig(config.node()));
      }
    }
    return probes.problemLines();
  }

  @Override
  public Future<?> start(ServiceContext context) {
    List<Future<?>> started = new ArrayList<>();
    for (ProbeComponent component : components()) {
      JsonNode config = context.config().path(component.name());
      boolean enabled =
          config.isMissingNode()
              ? component.enabledByDefault()
              : config.path("enabled").asBoolean(true);
      if (enabled) {
        started.add(component.start(context, config));
      }
    }
    return Future.all(started);
  }
}
