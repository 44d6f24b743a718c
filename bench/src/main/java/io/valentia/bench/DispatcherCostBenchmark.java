package io.valentia.bench;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.config.NotificationsConfig;
import io.valentia.notifications.dispatch.Dispatcher;
import io.valentia.notifications.silence.Silences;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The routing core alone, on one thread, without Kafka or HTTP: how long {@link Dispatcher#put} and
 * {@link Dispatcher#tick} take as the number of open groups grows, with the latency benchmark's
 * route ({@code group_by: [incident]}, {@code group_wait: 1s}) and one alert per new incident, as
 * {@code incident.opened} raises it. Time moves 1 ms per alert (1,000 alerts per simulated second)
 * and the dispatcher ticks every 200 simulated ms, as the pipeline verticle does, so groups are
 * flushed as they would be; nothing resolves, so every group stays open. Costs are the thread's CPU
 * time (the machine may be shared), averaged over each batch of 2,000 alerts.
 *
 * <p>Usage: {@code java -cp bench/target/valentia-bench.jar
 * io.valentia.bench.DispatcherCostBenchmark [ALERTS]} (default 20,000; the cost grows with the
 * square of it).
 */
public final class DispatcherCostBenchmark {
  private static final int BATCH = 2_000;

  private DispatcherCostBenchmark() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    NotificationsConfig config =
        NotificationsConfig.parse(
            new YAMLMapper()
                .readTree(
                    String.join(
                        "\n",
                        "route:",
                        "  receiver: bench",
                        "  group_by: [incident]",
                        "  group_wait: 1s",
                        "  group_interval: 5m",
                        "  repeat_interval: 4h",
                        "receivers:",
                        "  - name: bench",
                        "    webhook_configs: [{url: 'http://127.0.0.1:9/hook'}]")));
    long[] flushed = new long[1];
    Dispatcher dispatcher = new Dispatcher(config, new Silences(), n -> flushed[0]++);
    dispatcher.setGroupListener((key, state) -> {});
    Instant start = Instant.parse("2026-12-07T00:00:00Z");
    StringBuilder out =
        new StringBuilder(
            "\n| open groups | put: µs CPU per alert | tick: ms CPU per tick | alerts/s one core could"
                + " take |\n|---|---|---|---|\n");
    // CPU time of this thread, not wall time: the machine is shared, and this is one thread's work
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long putNanos = 0;
    long tickNanos = 0;
    int ticks = 0;
    for (int i = 0; i < total; i++) {
      Instant now = start.plus(Duration.ofMillis(i));
      Alert alert =
          new Alert(
              Map.of(
                  "type",
                  "io.valentia.incident.opened.v1",
                  "severity",
                  "critical",
                  "incident",
                  "inc-" + i),
              Map.of("summary", "Frame drops on hmd-1"),
              now,
              null,
              null);
      long t = cpu.getCurrentThreadCpuTime();
      dispatcher.put(alert, now);
      putNanos += cpu.getCurrentThreadCpuTime() - t;
      if (i % 200 == 199) {
        t = cpu.getCurrentThreadCpuTime();
        dispatcher.tick(now);
        tickNanos += cpu.getCurrentThreadCpuTime() - t;
        ticks++;
      }
      if ((i + 1) % BATCH == 0) {
        double putMicros = putNanos / 1e3 / BATCH;
        double tickMillis = ticks == 0 ? 0 : tickNanos / 1e6 / ticks;
        // per simulated second: 1,000 puts and 5 ticks
        double perSecondMillis = putMicros * 1_000 / 1e3 + tickMillis * 5;
        String row =
            String.format(
                Locale.ROOT,
                "| %,d | %,.1f | %,.2f | %,.0f |%n",
                i + 1,
                putMicros,
                tickMillis,
                1_000 * 1_000 / perSecondMillis);
        System.err.print(row);
        out.append(row);
        putNanos = 0;
        tickNanos = 0;
        ticks = 0;
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%n%,d notifications flushed; JDK %s, %d cores; load average %s%n",
            flushed[0],
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            NotificationLatencyBenchmark.loadAverage()));
    System.out.print(out);
  }
}
