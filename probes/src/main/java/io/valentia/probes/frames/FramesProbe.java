package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.probes.ProbeComponent;
import io.vertx.core.Future;
import java.util.List;

/**
 * {@code probes.frames}: the frame-pacing probe. Off unless configured, since its render loop
 * spends CPU on purpose.
 */
public final class FramesProbe implements ProbeComponent {
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
    return context
        .vertx()
        .deployVerticle(new FramesVerticle(FramesConfig.from(config), context.publisher()));
  }
}
