package io.valentia.probes.frames;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.FrameStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame probe of the {@code probes} role: the render-loop stand-in and the followed compositor
 * timing files, each on its own thread, publishing a burst event as each burst ends and stats every
 * second (a warning when the second's drops deviate from that source's baseline).
 *
 * <p>Each source's baseline is read back from the {@link BaselineFile} at start (when it was learnt
 * at the same rate) and saved every {@value #SAVE_EVERY_SECONDS} seconds and at stop. A followed
 * file that cannot be read, or that sends too many records that are not the format, raises {@value
 * #INGEST_CHECK} (HEALTH_WARN, a detail line per file) until it is read again.
 */
public final class FramesVerticle extends VerticleBase {
  /** The health check raised while a followed timing file fails. */
  public static final String INGEST_CHECK = "FRAME_INGEST_FAILED";

  static final int SAVE_EVERY_SECONDS = 10;
  private static final Logger LOG = LoggerFactory.getLogger(FramesVerticle.class);

  private final FramesConfig config;
  private final EventPublisher publisher;
  private final HealthRegistry health;
  private final BaselineFile baselineFile;
  private final String host = FrameEvents.hostName();
  private final List<Source> sources = new ArrayList<>();
  private final List<String> startProblems = new ArrayList<>();
  private List<String> raised = List.of();
  private long timer = -1;
  private long ticks;

  /**
   * @param health where {@value #INGEST_CHECK} is raised and cleared
   * @param baselineFile where the learnt baselines are kept; null to keep none
   */
  public FramesVerticle(
      FramesConfig config, EventPublisher publisher, HealthRegistry health, Path baselineFile) {
    this.config = config;
    this.publisher = publisher;
    this.health = health;
    this.baselineFile = baselineFile == null ? null : new BaselineFile(baselineFile);
  }

  private record Source(
      String name,
      FrameTally tally,
      DropBaseline baseline,
      Thread thread,
      Runnable stop,
      IngestHealth ingestHealth) {}

  @Override
  public Future<?> start() {
    Future<BaselineFile.Loaded> loaded =
        baselineFile == null
            ? Future.succeededFuture(new BaselineFile.Loaded(Map.of(), List.of()))
            : vertx.executeBlocking(baselineFile::load);
    return loaded.compose(this::startSources);
  }

  private Future<?> startSources(BaselineFile.Loaded loaded) {
    loaded
        .problems()
        .forEach(
            p -> {
              LOG.warn("frame baselines: {}", p);
              startProblems.add(p);
            });
    long now = System.nanoTime();
    if (config.loop()) {
      FrameTally tally = new FrameTally(config.hz(), "loop", now);
      RenderLoop loop =
          new RenderLoop(
              config.hz(), Duration.ofNanos(Math.round(config.workMs() * 1e6)), sink(tally));
      sources.add(
          new Source(
              "loop",
              tally,
              baseline("loop", loaded),
              new Thread(loop, "valentia-frames"),
              loop::stop,
              null));
    }
    addIngest(FrameIngest.Format.OPENVR, config.openvr(), now, loaded);
    addIngest(FrameIngest.Format.MONADO, config.monado(), now, loaded);
    sources.forEach(
        s -> {
          s.thread().setDaemon(true);
          s.thread().start();
        });
    timer = vertx.setPeriodic(1000, id -> everySecond());
    if (config.loop() && config.realtime()) {
      return vertx
          .executeBlocking(() -> RealtimeScheduling.apply("valentia-frames"))
          .onSuccess(
              s -> LOG.info("frame probe render loop at {} Hz, scheduling {}", config.hz(), s));
    }
    return Future.succeededFuture();
  }

  private DropBaseline baseline(String source, BaselineFile.Loaded loaded) {
    BaselineFile.Entry entry = loaded.baselines().get(source);
    if (entry == null) {
      return new DropBaseline();
    }
    if (entry.hz() != config.hz()) {
      startProblems.add(
          source
              + ": the kept baseline was learnt at "
              + entry.hz()
              + " Hz, not "
              + config.hz()
              + " Hz; learning again");
      return new DropBaseline();
    }
    return new DropBaseline(entry.dropsPerSecond(), entry.intervals());
  }

  private void addIngest(
      FrameIngest.Format format, Path path, long now, BaselineFile.Loaded loaded) {
    if (path == null) {
      return;
    }
    FrameTally tally = new FrameTally(config.hz(), format.sourceName(), now, true);
    FrameIngest ingest = new FrameIngest(format, path, false, config.hz(), sink(tally), true);
    sources.add(
        new Source(
            format.sourceName(),
            tally,
            baseline(format.sourceName(), loaded),
            new Thread(ingest, "valentia-frames-" + format.sourceName()),
            ingest::stop,
            new IngestHealth(ingest, config.maxRejectedPerSecond())));
  }

  /**
   * What it runs and what it resumed, for the service's status line: e.g. {@code loop at 90 Hz
   * (baseline 0.4 drops/s from 600 s)}.
   */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (Source s : sources) {
      DropBaseline b = s.baseline();
      parts.add(
          s.name()
              + " at "
              + config.hz()
              + " Hz ("
              + (b.intervals() == 0
                  ? "no baseline yet"
                  : String.format(
                      java.util.Locale.ROOT,
                      "baseline %.2f drops/s from %d s",
                      b.dropsPerInterval(),
                      b.intervals()))
              + ")");
    }
    String text = String.join(", ", parts);
    return startProblems.isEmpty() ? text : text + "; " + String.join("; ", startProblems);
  }

  private Consumer<FrameSample> sink(FrameTally tally) {
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

  private void everySecond() {
    publishStats();
    reportIngest();
    if (++ticks % SAVE_EVERY_SECONDS == 0) {
      saveBaselines();
    }
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

  private void reportIngest() {
    List<String> failing = new ArrayList<>();
    for (Source source : sources) {
      if (source.ingestHealth() != null) {
        String problem = source.ingestHealth().evaluate();
        if (problem != null) {
          failing.add(problem);
        }
      }
    }
    if (failing.equals(raised)) {
      return;
    }
    if (failing.isEmpty()) {
      LOG.info("frame timing ingest recovered");
      health.clear(INGEST_CHECK);
    } else {
      LOG.warn("frame timing ingest failing: {}", failing);
      health.raise(
          INGEST_CHECK,
          new HealthCheck(
              "HEALTH_WARN",
              failing.size()
                  + " frame timing "
                  + (failing.size() == 1 ? "file" : "files")
                  + " not read",
              failing));
    }
    raised = failing;
  }

  private Future<?> saveBaselines() {
    if (baselineFile == null) {
      return Future.succeededFuture();
    }
    Map<String, BaselineFile.Entry> entries = new LinkedHashMap<>();
    for (Source s : sources) {
      DropBaseline b = s.baseline();
      if (b.intervals() > 0) {
        entries.put(
            s.name(), new BaselineFile.Entry(config.hz(), b.dropsPerInterval(), b.intervals()));
      }
    }
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(
            () -> {
              baselineFile.save(entries);
              return null;
            })
        .onFailure(
            e ->
                LOG.warn(
                    "could not save the frame baselines to {}: {}",
                    baselineFile.path(),
                    e.toString()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    sources.forEach(s -> s.stop().run());
    if (!raised.isEmpty()) {
      health.clear(INGEST_CHECK);
    }
    return saveBaselines().recover(e -> Future.succeededFuture());
  }
}
