package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.probes.ProbeComponent;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code probes.frames}: the frame-pacing probe. Off unless configured, since its render loop
 * spends CPU on purpose. Keeps its learnt baselines in {@code DATA/probes/frame-baselines.json}.
 */
public final class FramesProbe implements ProbeComponent {
  /** The service name its state is reported under. */
  public static final String SERVICE = "probes.frames";

  /** The baseline file in the service's data directory. */
  public static final String BASELINE_FILE = "frame-baselines.json";

  @Override
  public String name() {
    return "frames";
  }

  @Override
  public List<String> checkConfig(JsonNode config) {
    return FramesConfig.problems(config);
  }

  @Override
  public Future<?> start(ServiceContext context, JsonNode config) {
    Path baselines = context.dataDir().resolve(BASELINE_FILE);
    FramesVerticle frames =
        new FramesVerticle(
            FramesConfig.from(config), context.publisher(), context.health(), baselines);
    return context
        .vertx()
        .deployVerticle(frames)
        .onSuccess(
            id -> context.health().service(SERVICE, ServiceStatus.running(frames.describe())));
  }
}
