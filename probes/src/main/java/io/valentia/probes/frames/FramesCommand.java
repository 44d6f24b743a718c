package io.valentia.probes.frames;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.FrameStats;
import io.valentia.probes.ProbeOutput;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia probe frames}: the frame-pacing probe in the foreground. */
@Command(
    name = "frames",
    mixinStandardHelpOptions = true,
    description = {
      "Run a render-loop stand-in (or follow a compositor's frame timing) and report frame pacing:"
          + " stats each second, a line per burst of dropped frames, a summary at the end.",
      "Exit 1 when more than --max-drop-percent of the vsyncs had no new frame."
    })
public final class FramesCommand implements Callable<Integer> {
  static final String THREAD_NAME = "valentia-frames";

  @Option(
      names = "--hz",
      defaultValue = "90",
      description = "refresh rate (VR: 90, 120, 144; default ${DEFAULT-VALUE})")
  int hz;

  @Option(
      names = "--work-ms",
      defaultValue = "2",
      description = "CPU work per frame in milliseconds (default ${DEFAULT-VALUE})")
  double workMs;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      converter = Durations.Converter.class,
      description = "how long to run, e.g. 30s or 5m (default ${DEFAULT-VALUE})")
  Duration duration;

  @ArgGroup(exclusive = true)
  Ingest ingest;

  static final class Ingest {
    @Option(
        names = "--openvr",
        paramLabel = "FILE",
        description = "follow OpenVR Compositor_FrameTiming JSON lines (file or named pipe)")
    Path openvr;

    @Option(
        names = "--monado",
        paramLabel = "FILE",
        description = "follow a Monado XRT_METRICS_FILE stream (file or named pipe)")
    Path monado;
  }

  @Option(
      names = "--max-drop-percent",
      defaultValue = "1.0",
      description = "dropped vsyncs tolerated before exiting 1 (default ${DEFAULT-VALUE} %%)")
  double maxDropPercent;

  @Option(
      names = "--no-realtime",
      negatable = false,
      description = "do not ask for the SCHED_FIFO real-time class (chrt)")
  boolean noRealtime;

  @Option(names = "--json", description = "print CloudEvents and a JSON summary")
  boolean json;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description = "also publish to Kafka (VALENTIA_KAFKA_BOOTSTRAP)")
  String kafka;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    check();
    PrintWriter out = spec.commandLine().getOut();
    String host = FrameEvents.hostName();
    warmUp(host);
    Queue<FrameDropped> bursts = new ConcurrentLinkedQueue<>();
    DropBaseline baseline = new DropBaseline();
    // frames read from a compositor's records are timed by the records, not by how fast we read
    FrameTally tally = new FrameTally(hz, sourceName(), System.nanoTime(), ingest != null);
    Queue<FrameStats> intervals = new ConcurrentLinkedQueue<>();
    long[] nextInterval = {0};
    // the render loop cuts its own intervals: a reporter starved on a busy host must not stretch
    // them; followed files are cut by the reporter (they may go quiet)
    java.util.function.Consumer<FrameSample> sink =
        f -> {
          tally.accept(f).ifPresent(bursts::add);
          if (ingest == null) {
            long now = System.nanoTime();
            if (nextInterval[0] == 0) {
              nextInterval[0] = now + 1_000_000_000L;
            } else if (now >= nextInterval[0]) {
              intervals.add(tally.interval(now));
              nextInterval[0] += 1_000_000_000L;
            }
          }
        };

    Runnable work;
    Runnable stop;
    String scheduling;
    FrameIngest follower = null;
    if (ingest == null) {
      RenderLoop loop = new RenderLoop(hz, Duration.ofNanos(Math.round(workMs * 1e6)), sink);
      work = loop;
      stop = loop::stop;
    } else {
      follower =
          new FrameIngest(
              ingest.openvr != null ? FrameIngest.Format.OPENVR : FrameIngest.Format.MONADO,
              ingest.openvr != null ? ingest.openvr : ingest.monado,
              true,
              hz,
              sink);
      work = follower;
      stop = follower::stop;
    }
    Thread thread = new Thread(work, THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
    scheduling = ingest == null && !noRealtime ? RealtimeScheduling.apply(THREAD_NAME) : "normal";
    if (!json) {
      out.println(
          (ingest == null
                  ? "render loop at " + hz + " Hz, " + workMs + " ms work per frame"
                  : "following " + (follower.path()))
              + ", scheduling "
              + scheduling);
      out.flush();
    }

    try (ProbeOutput output = new ProbeOutput(out, json, ProbeOutput.bootstrap(kafka))) {
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long nextStats = start + 1_000_000_000L;
      while (true) {
        long now = System.nanoTime();
        drain(bursts, output, host);
        if (ingest != null && (now >= nextStats || now >= end)) {
          intervals.add(tally.interval(now));
        }
        if (now >= nextStats) {
          nextStats += 1_000_000_000L;
        }
        emitIntervals(intervals, baseline, output, host);
        if (now >= end || !thread.isAlive()) {
          break;
        }
        Thread.sleep(Math.max(1, Math.min(100, (Math.min(nextStats, end) - now) / 1_000_000)));
      }
      stop.run();
      thread.join(2000);
      tally.endBurst().ifPresent(bursts::add);
      drain(bursts, output, host);
      FrameStats last = tally.interval(System.nanoTime());
      if (last.frames() > 0) {
        intervals.add(last);
      }
      emitIntervals(intervals, baseline, output, host);
      FrameTally.Summary summary = tally.summary();
      printSummary(out, summary, baseline, scheduling, follower);
      if (follower != null && follower.failure() != null) {
        throw new io.valentia.eventbus.ValentiaException(
            "could not read " + follower.path() + ": " + follower.failure().getMessage(),
            follower.failure());
      }
      return summary.dropPercent() > maxDropPercent ? 1 : 0;
    }
  }

  /**
   * Loads and runs once what reporting needs (the event contract, formatting, logging) before the
   * clock starts: on a busy host a cold start takes seconds, which would be reported as one long
   * first interval.
   */
  private void warmUp(String host) {
    org.slf4j.LoggerFactory.getLogger(FramesCommand.class).debug("frame probe starting");
    FrameStats stats = new FrameStats(hz, 0, 0, 0, 0, 0, 0, 1, sourceName());
    FrameDropped burst = new FrameDropped(hz, 1, 0, 0, 0, sourceName());
    EventCodec.instance().encodeToString(FrameEvents.stats(host, stats, false));
    EventCodec.instance().encodeToString(FrameEvents.dropped(host, burst));
    describe(stats, false);
    new FrameTally(hz, sourceName(), 0).interval(1);
  }

  private void check() {
    if (hz < 1 || hz > 1000) {
      throw new ParameterException(spec.commandLine(), "--hz must be 1 to 1000, found " + hz);
    }
    double budgetMs = 1000.0 / hz;
    if (!(workMs >= 0) || workMs >= budgetMs) {
      throw new ParameterException(
          spec.commandLine(),
          String.format(
              Locale.ROOT,
              "--work-ms must be at least 0 and below the %.3f ms frame budget at %d Hz, found %s",
              budgetMs,
              hz,
              workMs));
    }
    if (duration.isZero()) {
      throw new ParameterException(spec.commandLine(), "--duration must be longer than 0");
    }
    if (maxDropPercent < 0 || maxDropPercent > 100) {
      throw new ParameterException(spec.commandLine(), "--max-drop-percent must be 0 to 100");
    }
    if (ingest != null) {
      Path path = ingest.openvr != null ? ingest.openvr : ingest.monado;
      if (!Files.exists(path)) {
        throw new ParameterException(spec.commandLine(), "no such file: " + path);
      }
    }
  }

  private String sourceName() {
    if (ingest == null) {
      return "loop";
    }
    return ingest.openvr != null ? "openvr" : "monado";
  }

  private static void emitIntervals(
      Queue<FrameStats> intervals, DropBaseline baseline, ProbeOutput output, String host) {
    FrameStats stats;
    while ((stats = intervals.poll()) != null) {
      boolean deviates = baseline.observe(stats.dropped());
      output.emit(FrameEvents.stats(host, stats, deviates), describe(stats, deviates));
    }
  }

  private static void drain(Queue<FrameDropped> bursts, ProbeOutput output, String host) {
    FrameDropped burst;
    while ((burst = bursts.poll()) != null) {
      output.emit(
          FrameEvents.dropped(host, burst),
          String.format(
              Locale.ROOT,
              "DROPPED %d frame(s) at %d-%d, worst %.1f ms late",
              burst.frames(),
              burst.firstFrame(),
              burst.lastFrame(),
              burst.worstLatenessMicros() / 1000.0));
    }
  }

  private static String describe(FrameStats s, boolean deviates) {
    return String.format(
        Locale.ROOT,
        "%d Hz  frames %d  dropped %d%s  fps %.1f  frame time p50 %.2f ms  p99 %.2f ms  max %.2f"
            + " ms",
        s.hz(),
        s.frames(),
        s.dropped(),
        deviates ? " (above baseline)" : "",
        s.fps(),
        s.p50Micros() / 1000.0,
        s.p99Micros() / 1000.0,
        s.maxMicros() / 1000.0);
  }

  private void printSummary(
      PrintWriter out,
      FrameTally.Summary summary,
      DropBaseline baseline,
      String scheduling,
      FrameIngest follower) {
    if (json) {
      ObjectNode node = EventCodec.MAPPER.createObjectNode();
      ObjectNode s = node.putObject("summary");
      s.put("hz", hz);
      s.put("source", sourceName());
      s.put("frames", summary.frames());
      s.put("dropped", summary.dropped());
      s.put("dropPercent", Math.round(summary.dropPercent() * 100) / 100.0);
      s.put("bursts", summary.bursts());
      s.put("p99LatenessMicros", summary.p99LatenessMicros());
      s.put("baselineDropsPerSecond", Math.round(baseline.dropsPerInterval() * 100) / 100.0);
      s.put("scheduling", scheduling);
      if (follower != null) {
        s.put("rejected", follower.rejected());
      }
      out.println(node);
    } else {
      out.printf(
          Locale.ROOT,
          "summary: %d frames, %d dropped (%.2f %%), %d bursts, p99 lateness %.1f ms,"
              + " baseline %.2f drops/s, scheduling %s%s%n",
          summary.frames(),
          summary.dropped(),
          summary.dropPercent(),
          summary.bursts(),
          summary.p99LatenessMicros() / 1000.0,
          baseline.dropsPerInterval(),
          scheduling,
          follower != null && follower.rejected() > 0
              ? ", "
                  + follower.rejected()
                  + " inputs not understood ("
                  + follower.lastProblem()
                  + ")"
              : "");
    }
    out.flush();
  }
}
