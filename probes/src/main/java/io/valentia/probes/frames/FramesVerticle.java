package io.valentia.probes.frames;

import io.valentia.eventbus.EventPublisher;
import io.valentia.eventbus.payload.FrameStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame probe of the {@code probes} role: the render-loop stand-in and the followed compositor
 * timing files, each on its own thread, publishing a burst event as each burst ends and stats every
 * second (a warning when the second's drops deviate from that source's baseline).
 */
public final class FramesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FramesVerticle.class);

  private final FramesConfig config;
  private final EventPublisher publisher;
  private final String host = FrameEvents.hostName();
  private final List<Source> sources = new ArrayList<>();
  private long timer = -1;

  public FramesVerticle(FramesConfig config, EventPublisher publisher) {
    this.config = config;
    this.publisher = publisher;
  }

  private record Source(FrameTally tally, DropBaseline baseline, Thread thread, Runnable stop) {}

  @Override
  public Future<?> start() {
    long now = System.nanoTime();
    if (config.loop()) {
      FrameTally tally = new FrameTally(config.hz(), "loop", now);
      RenderLoop loop =
          new RenderLoop(
              config.hz(), Duration.ofNanos(Math.round(config.workMs() * 1e6)), sink(tally));
      sources.add(
          new Source(tally, new DropBaseline(), new Thread(loop, "valentia-frames"), loop::stop));
    }
    addIngest(FrameIngest.Format.OPENVR, config.openvr(), now);
    addIngest(FrameIngest.Format.MONADO, config.monado(), now);
    sources.forEach(
        s -> {
          s.thread().setDaemon(true);
          s.thread().start();
        });
    timer = vertx.setPeriodic(1000, id -> publishStats());
    if (config.loop() && config.realtime()) {
      return vertx
          .executeBlocking(() -> RealtimeScheduling.apply("valentia-frames"))
          .onSuccess(
              s -> LOG.info("frame probe render loop at {} Hz, scheduling {}", config.hz(), s));
    }
    return Future.succeededFuture();
  }

  private void addIngest(FrameIngest.Format format, java.nio.file.Path path, long now) {
    if (path == null) {
      return;
    }
    FrameTally tally = new FrameTally(config.hz(), format.sourceName(), now);
    FrameIngest ingest = new FrameIngest(format, path, false, config.hz(), sink(tally));
    sources.add(
        new Source(
            tally,
            new DropBaseline(),
            new Thread(ingest, "valentia-frames-" + format.sourceName()),
            ingest::stop));
  }

  private java.util.function.Consumer<FrameSample> sink(FrameTally tally) {
    return frame ->
        tally
            .accept(frame)
            .ifPresent(
                burst ->
                    publisher
                        .publish(FrameEvents.dropped(host, burst))
                        .onFailure(
                            e -> LOG.warn("could not publish a frame burst: {}", e.toString())));
  }

  private void publishStats() {
    long now = System.nanoTime();
    for (Source source : sources) {
      FrameStats stats = source.tally().interval(now);
      if (stats.frames() == 0 && !source.thread().isAlive()) {
        continue;
      }
      boolean deviates = source.baseline().observe(stats.dropped());
      publisher
          .publish(FrameEvents.stats(host, stats, deviates))
          .onFailure(e -> LOG.warn("could not publish frame stats: {}", e.toString()));
    }
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    sources.forEach(s -> s.stop().run());
    return Future.succeededFuture();
  }
}
