package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.probes.ProbeComponent;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The denial watcher of the {@code probes} role ({@code probes.denials}, see {@link
 * DenialsConfig}): follows its sources on a dedicated thread, publishes each denial event to {@code
 * valentia.events}, keeps its positions in {@code DATA/probes/denials-positions.json}, and raises
 * {@code DENIALS_SUPPRESSED} (the kernel dropped audit lines) and {@code DENIALS_SOURCE_FAILED} (a
 * source could not be read) as health warnings. Not enabled by default (reading the kernel log
 * needs root).
 */
public final class DenialsComponent implements ProbeComponent {
  private static final Logger LOG = LoggerFactory.getLogger(DenialsComponent.class);
  static final String SERVICE = "probes.denials";

  @Override
  public String name() {
    return "denials";
  }

  @Override
  public List<String> checkConfig(JsonNode config) {
    return DenialsConfig.problems(config);
  }

  @Override
  public Future<?> start(ServiceContext context, JsonNode section) {
    DenialsConfig config;
    try {
      config = DenialsConfig.of(section);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    String host = config.host() != null ? config.host() : DenialsConfig.localHost();
    SourcePositions positions =
        SourcePositions.load(context.dataDir().resolve("denials-positions.json"));
    DenialWatcher watcher =
        new DenialWatcher(
            new AuditLineParser(),
            config.window(),
            new ProcessAttribution(Path.of("/proc")),
            Clock.systemUTC(),
            host,
            event ->
                context
                    .publisher()
                    .publish(event)
                    .onFailure(e -> LOG.warn("could not publish denial {}: {}", event.id(), e)));
    List<LineSource> sources = new ArrayList<>();
    if (config.kmsg()) {
      Path kmsg = Path.of("/dev/kmsg");
      sources.add(new KernelLog(kmsg, true, positions.get(KernelLog.idOf(kmsg)), Duration.ZERO));
    }
    List<String> files = new ArrayList<>(config.files());
    if (config.auditLog() != null) {
      files.add(0, config.auditLog());
    }
    for (String file : files) {
      Path path = Path.of(file);
      sources.add(
          new AuditFile(
              path, true, true, positions.get(AuditFile.idOf(path)), Duration.ofMillis(250)));
    }
    DenialReader reader = new DenialReader(watcher, sources, positions);
    return context
        .vertx()
        .deployVerticle(new DenialsVerticle(context, reader, watcher))
        .onSuccess(
            id ->
                context
                    .health()
                    .service(
                        SERVICE, ServiceStatus.running(sources.size() + " sources, host " + host)));
  }
}
