package io.valentia.bench;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventIndex;
import io.valentia.postmortem.index.KafkaIndexer;
import io.valentia.postmortem.index.RecordMapper;
import io.valentia.web.WebConfig;
import io.valentia.web.WebVerticle;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.stream.EventStreams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * It is over 400 lines because it is one scenario best read top to bottom: start the broker, the
 * web server and the indexer, produce the backlog, start the client process, warm up, publish at
 * the paced rate while the indexer catches up, then report latencies, the indexer's rate, CPU and
 * memory. Its helpers (the paced publisher, the histogram quantiles, the {@code /proc} readings,
 * the line protocol with the {@link StreamClients} process) serve this run only.
 *
 * <p>A war room: {@code --streams} clients (50) of the live stream while events arrive at {@code
 * --rate} (10,000/s) for {@code --seconds} (30) and, at the same time, the real {@link
 * KafkaIndexer} catches up on a backlog of {@code --backlog} events (2,000,000) produced before;
 * its rate is what it indexed while the events were published. One JVM holds the embedded broker,
 * the web server, the indexer and the paced publisher; the clients run in a process of their own
 * ({@link StreamClients}), as browsers would, and the publish time travels in each event's id (both
 * processes read the machine's monotonic clock through {@link System#nanoTime()}, which is checked
 * at the start). Scenarios: {@code none} (no viewer: the indexer's reference rate), {@code
 * selective} (stream i filters {@code subject == "hmd-(i % 25)"}: 25 distinct filters, 100 events/s
 * each), {@code unfiltered} (every event to every stream) and {@code sampled} (every event, as the
 * live page asks: {@code sample=200}). Run each scenario in a JVM of its own so that their memory
 * figures do not mix.
 */
final class WarRoomBenchmark {
  private static final int SUBJECTS = 100;
  private static final int FILTERS = 25;
  private static final int WARM_UP_SECONDS = 5;
  private static final int WARM_UP_RATE = 2_000;

  private WarRoomBenchmark() {}

  static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(
          "usage: --war-room none|selective|unfiltered|sampled [--streams 50] [--rate 10000]"
              + " [--seconds 30] [--backlog 2000000]");
    }
    String scenario = args[0];
    if (!List.of("none", "selective", "unfiltered", "sampled").contains(scenario)) {
      throw new IllegalArgumentException("unknown scenario " + scenario);
    }
    int streams = scenario.equals("none") ? 0 : option(args, "--streams", 50);
    int rate = option(args, "--rate", 10_000);
    int seconds = option(args, "--seconds", 30);
    int backlog = option(args, "--backlog", 2_000_000);
    String loadBefore = loadAverage();
    Path work = Files.createTempDirectory("valentia-war-room");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), 0)) {
      KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers());
      new TopicProvisioner(kafka).ensureTopics(Duration.ofSeconds(60));
      EventStreams eventStreams =
          new EventStreams(kafka, EventStreams.Limits.DEFAULT.withCaps(400, Math.max(1, streams)));
      WebVerticle web =
          new WebVerticle(
              new WebConfig("127.0.0.1", 0),
              () ->
                  Future.succeededFuture(
                      HealthReport.of(
                          Map.of(), Map.of(), new KafkaStatus("bench", true, true, Map.of()))),
              AdminToken.configured(StreamBenchmark.TOKEN),
              new ApiRoutes(),
              new WebVerticle.Gateway(null, null, null, eventStreams));
      vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

      // the backlog: the same simulated day's first 200,000 events over and over (the indexer
      // upserts by event id, so each copy costs what a new event costs)
      List<byte[]> corpus = IndexingBenchmark.generate(Math.min(backlog, 200_000));
      for (int produced = 0; produced < backlog; produced += corpus.size()) {
        IndexingBenchmark.produce(
            broker.bootstrapServers(),
            corpus.subList(0, Math.min(corpus.size(), backlog - produced)));
      }
      corpus = null;
      System.err.printf(Locale.ROOT, "backlog: %,d events produced%n", backlog);

      // the clients in a process of their own: their CPU is not the platform's
      ClientProcess clients =
          streams == 0 ? null : ClientProcess.start(web.actualPort(), scenario, streams);
      try (KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, kafka, "bench")) {
        // the stream path compiled before it is measured (the indexer starts cold in every
        // scenario alike)
        publish(publisher, 0, WARM_UP_RATE, WARM_UP_SECONDS);
        Thread.sleep(1000);
        if (clients != null) {
          clients.command("measure " + WARM_UP_SECONDS * WARM_UP_RATE);
        }
        long heapBefore = heapAfterGcMib();
        long rssBefore = rssKib();
        AtomicLong rssPeak = new AtomicLong(rssBefore);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread rss =
            new Thread(
                () -> {
                  while (sampling.get()) {
                    rssPeak.accumulateAndGet(rssKib(), Math::max);
                    LockSupport.parkNanos(100_000_000L);
                  }
                },
                "bench-rss");
        rss.setDaemon(true);
        rss.start();
        CpuSampler cpu = new CpuSampler();
        double indexRate;
        double achieved;
        ClientResults results;
        long indexedAtEnd;
        try (EventIndex index = EventIndex.open(work.resolve("index"), new EventAnalyzer());
            KafkaIndexer indexer =
                new KafkaIndexer(
                    "bench",
                    kafka,
                    List.of(Topics.EVENTS),
                    index,
                    RecordMapper.EVENTS,
                    new KafkaIndexer.Settings(Duration.ofMillis(250), Duration.ofSeconds(5)))) {
          indexer.start();
          // the indexer at full speed on the backlog first, then measured during the run
          while (indexer.indexedCount() < 50_000) {
            if (indexer.failure().isPresent()) {
              throw new IllegalStateException("indexer failed", indexer.failure().get());
            }
            Thread.sleep(20);
          }
          long start = System.nanoTime();
          long indexedBefore = indexer.indexedCount();
          double[] achievedRate = new double[1];
          Thread pacer =
              new Thread(
                  () -> {
                    achievedRate[0] =
                        publish(publisher, WARM_UP_SECONDS * WARM_UP_RATE, rate, seconds);
                  },
                  "bench-publisher");
          pacer.start();
          pacer.join();
          indexRate =
              (indexer.indexedCount() - indexedBefore) / ((System.nanoTime() - start) / 1e9);
          indexedAtEnd = indexer.indexedCount();
          achieved = achievedRate[0];
          // what is still on its way: until no client received anything for 2 s (at most 20 s)
          results = clients == null ? ClientResults.NONE : clients.finish();
        }
        sampling.set(false);
        String cpuReport = cpu.report("war room, " + scenario);
        long rssAfter = rssKib();
        long heapAfter = heapAfterGcMib();
        report(
            scenario,
            streams,
            rate,
            seconds,
            backlog,
            achieved,
            indexRate,
            results,
            rssBefore,
            rssPeak.get(),
            rssAfter,
            heapBefore,
            heapAfter,
            indexedAtEnd,
            cpuReport,
            loadBefore,
            loadAverage());
      } finally {
        if (clients != null) {
          clients.close();
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      IndexingBenchmark.deleteTree(work);
    }
  }

  /** Publishes {@code rate} events/s for {@code seconds}, numbered from {@code first}. */
  private static double publish(KafkaEventPublisher publisher, int first, int rate, int seconds) {
    EventCodec codec = EventCodec.instance();
    codec.validateData(event(first, System.nanoTime()));
    long count = (long) rate * seconds;
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 50_000) {
        LockSupport.parkNanos(wait);
      }
      int seq = (int) (first + i);
      // the publish time travels in the id: the client process reads the same clock
      CloudEvent event = event(seq, System.nanoTime());
      byte[] key = event.subject().getBytes(StandardCharsets.UTF_8);
      publisher.send(new ProducerRecord<>(Topics.EVENTS, key, codec.encode(event)));
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static CloudEvent event(int seq, long publishedNanos) {
    return CloudEvent.of(new FrameDropped(90, 2, seq, seq + 1L, 12_000, "loop"))
        .id("b" + seq + "t" + publishedNanos)
        .source("/bench/war-room")
        .subject("hmd-" + (seq % SUBJECTS))
        .build();
  }

  private static void report(
      String scenario,
      int streams,
      int rate,
      int seconds,
      int backlog,
      double achieved,
      double indexRate,
      ClientResults clients,
      long rssBefore,
      long rssPeak,
      long rssAfter,
      long heapBefore,
      long heapAfter,
      long indexedAtEnd,
      String cpuReport,
      String loadBefore,
      String loadAfter) {
    long published = (long) rate * seconds;
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%nwar room: %s, %d streams, %,d events/s for %d s (achieved %,.0f/s), backlog %,d%n",
            scenario,
            streams,
            rate,
            seconds,
            achieved,
            backlog));
    out.append(
        String.format(
            Locale.ROOT,
            "indexer: %,.0f events/s while the events were published (%,d of the %,d-event"
                + " backlog indexed by the end%s)%n",
            indexRate,
            Math.min(indexedAtEnd, backlog),
            backlog,
            indexedAtEnd >= backlog ? ": it ran out of backlog, so the rate is a floor" : ""));
    if (!clients.streams().isEmpty()) {
      List<StreamResult> streamResults = clients.streams();
      long[] histogram = clients.histogram();
      out.append(
          String.format(
              Locale.ROOT,
              "streams the server ended before the run was over: %d%n",
              streamResults.stream().filter(StreamResult::ended).count()));
      long[] received = streamResults.stream().mapToLong(StreamResult::received).sorted().toArray();
      long[] drops = streamResults.stream().mapToLong(StreamResult::dropNotices).sorted().toArray();
      long droppedEvents = streamResults.stream().mapToLong(StreamResult::droppedEvents).sum();
      out.append(
          String.format(
              Locale.ROOT,
              "received per stream: min %,d, median %,d, max %,d (of %,d published)%n",
              received[0],
              received[received.length / 2],
              received[received.length - 1],
              published));
      out.append(
          String.format(
              Locale.ROOT,
              "dropped notices per stream: min %d, median %d, max %d; events dropped in all: %,d%n",
              drops[0],
              drops[drops.length / 2],
              drops[drops.length - 1],
              droppedEvents));
      if (scenario.equals("selective")) {
        long missing = 0;
        long duplicates = 0;
        long expectedAll = 0;
        for (StreamResult c : streamResults) {
          long expected = published / SUBJECTS;
          expectedAll += expected;
          missing += Math.max(0, expected - c.distinct());
          duplicates += c.received() - c.distinct();
        }
        out.append(
            String.format(
                Locale.ROOT,
                "selective: %,d of %,d matching events received (%,d missing, %,d repeated)%n",
                expectedAll - missing,
                expectedAll,
                missing,
                duplicates));
      }
      if (scenario.equals("sampled")) {
        long[] summed =
            streamResults.stream().mapToLong(StreamResult::summarized).sorted().toArray();
        out.append(
            String.format(
                Locale.ROOT,
                "summaries counted per stream: min %,d, max %,d of %,d published (incl. the"
                    + " seconds around the run)%n",
                summed[0],
                summed[summed.length - 1],
                published));
      }
      long n = 0;
      for (long c : histogram) {
        n += c;
      }
      out.append(
          String.format(
              Locale.ROOT,
              "publish -> client: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %,d events%n",
              quantile(histogram, n, 0.50),
              quantile(histogram, n, 0.99),
              quantile(histogram, n, 1.0),
              n));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "resident memory: %,d MiB before, peak %,d MiB (+%,d MiB), %,d MiB after%n",
            rssBefore / 1024,
            rssPeak / 1024,
            (rssPeak - rssBefore) / 1024,
            rssAfter / 1024));
    out.append(
        String.format(
            Locale.ROOT,
            "heap in use after a full GC: %,d MiB before, %,d MiB after (the streams still"
                + " open)%n",
            heapBefore,
            heapAfter));
    out.append(cpuReport);
    if (!clients.streams().isEmpty()) {
      out.append(
          String.format(
              Locale.ROOT,
              "the %d SSE clients' own process (not in the figures above): %.1f s CPU%n",
              clients.streams().size(),
              clients.cpuSeconds()));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "load average before: %s; after: %s; JVM %s, %d cores%n",
            loadBefore,
            loadAfter,
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors()));
    System.out.print(out);
  }

  private static double quantile(long[] histogram, long n, double q) {
    if (n == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int i = 0; i < histogram.length; i++) {
      seen += histogram[i];
      if (seen >= rank) {
        return i / 10.0;
      }
    }
    return histogram.length / 10.0;
  }

  /** One stream's counts as the client process reported them. */
  record StreamResult(
      long received,
      long distinct,
      long dropNotices,
      long droppedEvents,
      long summarized,
      boolean ended) {}

  /** What the client process reported at the end: per stream, the latencies, its CPU. */
  record ClientResults(List<StreamResult> streams, long[] histogram, double cpuSeconds) {
    static final ClientResults NONE = new ClientResults(List.of(), new long[0], 0);
  }

  /**
   * The {@link StreamClients} process: the same Java, the same class path, a heap of its own. Its
   * error output goes to this one's.
   */
  static final class ClientProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final java.io.Writer in;

    private ClientProcess(Process process) {
      this.process = process;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
      this.in =
          new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
    }

    static ClientProcess start(int port, String scenario, int streams) throws IOException {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      long before = System.nanoTime();
      Process process =
          new ProcessBuilder(
                  java,
                  "-Xms256m",
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  StreamClients.class.getName(),
                  Integer.toString(port),
                  StreamBenchmark.TOKEN,
                  scenario,
                  Integer.toString(streams),
                  Integer.toString(FILTERS))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      ClientProcess clients = new ClientProcess(process);
      try {
        String clock = clients.expect("clock ");
        long theirs = Long.parseLong(clock.substring(6).trim());
        long after = System.nanoTime();
        if (theirs < before || theirs > after) {
          throw new IllegalStateException(
              "the client process does not read this process's clock (System.nanoTime): "
                  + theirs
                  + " not within "
                  + before
                  + " and "
                  + after
                  + "; latencies would be meaningless");
        }
        clients.expect("ready");
      } catch (IOException | RuntimeException e) {
        clients.close();
        throw e;
      }
      return clients;
    }

    void command(String line) throws IOException {
      in.write(line + "\n");
      in.flush();
    }

    /** Asks for the report once the streams are quiet, and reads it. */
    ClientResults finish() throws IOException {
      command("finish");
      List<StreamResult> streams = new ArrayList<>();
      long[] histogram = new long[StreamClients.BUCKETS];
      double cpu = 0;
      for (String line = out.readLine(); ; line = out.readLine()) {
        if (line == null) {
          throw new IOException("the client process ended before its report");
        }
        String[] parts = line.trim().split(" ");
        switch (parts[0]) {
          case "stream" ->
              streams.add(
                  new StreamResult(
                      Long.parseLong(parts[2]),
                      Long.parseLong(parts[3]),
                      Long.parseLong(parts[4]),
                      Long.parseLong(parts[5]),
                      Long.parseLong(parts[6]),
                      Boolean.parseBoolean(parts[7])));
          case "latency" -> histogram[Integer.parseInt(parts[1])] = Long.parseLong(parts[2]);
          case "cpu" -> cpu = Double.parseDouble(parts[1]);
          case "done" -> {
            return new ClientResults(streams, histogram, cpu);
          }
          default -> System.err.println("client process: " + line);
        }
      }
    }

    private String expect(String prefix) throws IOException {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(prefix)) {
          return line;
        }
        System.err.println("client process: " + line);
      }
      throw new IOException("the client process ended before it said " + prefix.trim());
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // it may have gone already
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int option(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  private static long heapAfterGcMib() {
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
        >> 20;
  }

  private static long rssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return 0;
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
