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
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The live stream's latency: from {@code publish} on a {@link KafkaEventPublisher} to the event's
 * {@code data:} line read by a Server-Sent-Events client of {@code GET /api/v1/events/stream}, at
 * 1,000 and 10,000 events per second. One JVM holds the embedded broker, the web server (the real
 * {@link WebVerticle} with its {@link EventStreams}), the paced publisher and the client, so every
 * stage competes for the same cores as it would on a one-machine platform.
 *
 * <p>Usage: {@code java -cp bench/target/valentia-bench.jar io.valentia.bench.StreamBenchmark
 * [SECONDS_PER_RATE] [RATE...]} (defaults: 20 s at 1000 and 10000 events/s); {@code
 * -Dvalentia.bench.reference=true} adds a plain Kafka consumer's latency for the same events.
 *
 * <p>{@code StreamBenchmark --war-room SCENARIO [OPTIONS]} measures a war room instead: many
 * streams while the indexer catches up on a backlog; see {@link WarRoom}.
 */
public final class StreamBenchmark {
  private static final String TOKEN = "vt_stream-benchmark-admin-token-0123456789";

  /**
   * Whether a plain Kafka consumer in the same JVM also measures the events, for reference ({@code
   * -Dvalentia.bench.reference=true}); off by default, because its thread takes CPU from the stream
   * being measured.
   */
  private static final boolean REFERENCE = Boolean.getBoolean("valentia.bench.reference");

  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

  private StreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--war-room")) {
      WarRoom.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int[] rates =
        args.length > 1
            ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {1_000, 10_000};
    Path work = Files.createTempDirectory("valentia-stream-bench");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), 0)) {
      KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers());
      new TopicProvisioner(kafka).ensureTopics(Duration.ofSeconds(60));
      WebVerticle web =
          new WebVerticle(
              new WebConfig("127.0.0.1", 0),
              () ->
                  Future.succeededFuture(
                      HealthReport.of(
                          Map.of(), Map.of(), new KafkaStatus("bench", true, true, Map.of()))),
              AdminToken.configured(TOKEN),
              new ApiRoutes(),
              new WebVerticle.Gateway(
                  null, null, null, new EventStreams(kafka, EventStreams.Limits.DEFAULT)));
      vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

      StringBuilder table =
          new StringBuilder(
              "\n| rate (events/s) | achieved | sent | received | dropped notices | p50 | p99 | max"
                  + " | plain consumer p50 / p99 |\n|---|---|---|---|---|---|---|---|---|\n");
      try (KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, kafka, "bench")) {
        // warm up the whole path (JIT, connections, the consumer's fetch session) at 1k/s
        run(kafka, web.actualPort(), publisher, 1_000, 5, "warmup");
        for (int rate : rates) {
          Result result = run(kafka, web.actualPort(), publisher, rate, seconds, "rate-" + rate);
          System.err.printf(Locale.ROOT, "%,d events/s: %s%n", rate, result);
          table.append(
              String.format(
                  Locale.ROOT,
                  "| %,d | %,.0f | %,d | %,d | %,d | %.1f ms | %.1f ms | %.1f ms | %s |%n",
                  rate,
                  result.achievedRate,
                  result.sent,
                  result.received,
                  result.droppedNotices,
                  result.p50,
                  result.p99,
                  result.max,
                  REFERENCE
                      ? String.format(
                          Locale.ROOT, "%.1f / %.1f ms", result.kafkaP50, result.kafkaP99)
                      : "not measured"));
        }
      }
      table.append(
          String.format(
              Locale.ROOT,
              "| JVM, cores | %s, %d |%n",
              System.getProperty("java.version"),
              Runtime.getRuntime().availableProcessors()));
      System.out.print(table);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      IndexingBenchmark.deleteTree(work);
    }
  }

  /** What one rate gave; {@code kafkaP50}/{@code kafkaP99}: publish to a plain consumer's poll. */
  record Result(
      double achievedRate,
      long sent,
      long received,
      long droppedNotices,
      double p50,
      double p99,
      double max,
      double kafkaP50,
      double kafkaP99) {}

  /** Streams {@code rate} events/s for {@code seconds} to one SSE client filtered to this run. */
  static Result run(
      KafkaSettings kafka,
      int port,
      KafkaEventPublisher publisher,
      int rate,
      int seconds,
      String run)
      throws Exception {
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, Long> sentAtForKafka = new ConcurrentHashMap<>();
    long total = (long) rate * seconds;
    long[] latencies = new long[(int) total];
    AtomicLong received = new AtomicLong();
    AtomicLong droppedNotices = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(1);
    String subject = "hmd-" + run;
    String filter = "subject == \"" + subject + "\"";
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/api/v1/events/stream?filter="
                        + java.net.URLEncoder.encode(filter, StandardCharsets.UTF_8)))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Accept", "text/event-stream")
            .build();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the stream answered " + response.statusCode());
    }
    Thread client =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  if (line.startsWith("event: ready")) {
                    ready.countDown();
                  } else if (line.startsWith("event: dropped")) {
                    droppedNotices.incrementAndGet();
                  } else if (line.startsWith("data: {")) {
                    long now = System.nanoTime();
                    Matcher id = ID.matcher(line);
                    if (id.find()) {
                      Long at = sentAt.remove(id.group(1));
                      if (at != null) {
                        int n = (int) received.getAndIncrement();
                        if (n < latencies.length) {
                          latencies[n] = now - at;
                        }
                      }
                    }
                  }
                }
              } catch (IOException closed) {
                // the run is over
              }
            },
            "sse-client-" + run);
    client.setDaemon(true);
    client.start();
    if (!ready.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the stream never said it was ready");
    }
    long[] kafkaLatencies = new long[(int) total];
    AtomicLong kafkaReceived = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean consuming =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    CountDownLatch assigned = new CountDownLatch(1);
    Thread reference =
        new Thread(
            () -> {
              Map<String, Object> props = kafka.commonClientProperties("bench-reference");
              try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
                  new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                      props,
                      new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                      new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                java.util.List<org.apache.kafka.common.TopicPartition> partitions =
                    consumer.partitionsFor(Topics.EVENTS).stream()
                        .map(
                            p ->
                                new org.apache.kafka.common.TopicPartition(
                                    p.topic(), p.partition()))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                assigned.countDown();
                while (consuming.get()) {
                  for (var record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    Matcher id = ID.matcher(new String(record.value(), StandardCharsets.UTF_8));
                    if (id.find()) {
                      Long at = sentAtForKafka.remove(id.group(1));
                      if (at != null) {
                        int n = (int) kafkaReceived.getAndIncrement();
                        if (n < kafkaLatencies.length) {
                          kafkaLatencies[n] = now - at;
                        }
                      }
                    }
                  }
                }
              }
            },
            "kafka-reference-" + run);
    reference.setDaemon(true);
    if (REFERENCE) {
      reference.start();
      assigned.await(30, TimeUnit.SECONDS);
    }

    // every event has the same shape: one is checked against its schema here, so that the pacing
    // thread only builds and encodes (schema validation would cap one thread below 10k/s); the
    // latency runs from handing each record to the Kafka producer
    EventCodec codec = EventCodec.instance();
    codec.validateData(event(subject, 0));
    byte[] key = subject.getBytes(StandardCharsets.UTF_8);
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 50_000) {
        LockSupport.parkNanos(wait);
      }
      CloudEvent event = event(subject, i);
      long now = System.nanoTime();
      sentAt.put(event.id(), now);
      sentAtForKafka.put(event.id(), now);
      publisher.send(new ProducerRecord<>(Topics.EVENTS, key, codec.encode(event)));
    }
    double achieved = total / ((System.nanoTime() - start) / 1e9);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    client.interrupt();
    response.body().close();
    consuming.set(false);
    reference.join(5_000);
    long[] kafkaMeasured =
        Arrays.copyOf(kafkaLatencies, (int) Math.min(kafkaReceived.get(), kafkaLatencies.length));
    Arrays.sort(kafkaMeasured);

    int n = (int) Math.min(received.get(), latencies.length);
    long[] measured = Arrays.copyOf(latencies, n);
    Arrays.sort(measured);
    return new Result(
        achieved,
        total,
        received.get(),
        droppedNotices.get(),
        millis(measured, 0.50),
        millis(measured, 0.99),
        n == 0 ? Double.NaN : measured[n - 1] / 1e6,
        millis(kafkaMeasured, 0.50),
        millis(kafkaMeasured, 0.99));
  }

  private static CloudEvent event(String subject, long i) {
    return CloudEvent.of(new FrameDropped(90, 2, i, i + 1, 12_000, "loop"))
        .source("/bench/stream")
        .subject(subject)
        .build();
  }

  private static double millis(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }

  /**
   * A war room: {@code --streams} clients (50) of the live stream while events arrive at {@code
   * --rate} (10,000/s) for {@code --seconds} (30) and, at the same time, the real {@link
   * KafkaIndexer} catches up on a backlog of {@code --backlog} events (2,000,000) produced before;
   * its rate is what it indexed while the events were published. One JVM holds the embedded broker,
   * the web server, the indexer and the paced publisher; the clients run in a process of their own
   * ({@link StreamClients}), as browsers would, and the publish time travels in each event's id
   * (both processes read the machine's monotonic clock through {@link System#nanoTime()}, which is
   * checked at the start). Scenarios: {@code none} (no viewer: the indexer's reference rate),
   * {@code selective} (stream i filters {@code subject == "hmd-(i % 25)"}: 25 distinct filters, 100
   * events/s each), {@code unfiltered} (every event to every stream) and {@code sampled} (every
   * event, as the live page asks: {@code sample=200}). Run each scenario in a JVM of its own so
   * that their memory figures do not mix.
   */
  static final class WarRoom {
    private static final int SUBJECTS = 100;
    private static final int FILTERS = 25;
    private static final int WARM_UP_SECONDS = 5;
    private static final int WARM_UP_RATE = 2_000;

    private WarRoom() {}

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
            new EventStreams(
                kafka, EventStreams.Limits.DEFAULT.withCaps(400, Math.max(1, streams)));
        WebVerticle web =
            new WebVerticle(
                new WebConfig("127.0.0.1", 0),
                () ->
                    Future.succeededFuture(
                        HealthReport.of(
                            Map.of(), Map.of(), new KafkaStatus("bench", true, true, Map.of()))),
                AdminToken.configured(TOKEN),
                new ApiRoutes(),
                new WebVerticle.Gateway(null, null, null, eventStreams));
        vertx
            .deployVerticle(web)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

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
        long[] received =
            streamResults.stream().mapToLong(StreamResult::received).sorted().toArray();
        long[] drops =
            streamResults.stream().mapToLong(StreamResult::dropNotices).sorted().toArray();
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
                    TOKEN,
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
}
