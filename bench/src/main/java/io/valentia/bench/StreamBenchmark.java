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
import java.util.concurrent.atomic.AtomicLongArray;
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
   * the web server, the indexer, the paced publisher and the clients. Scenarios: {@code none} (no
   * viewer: the indexer's reference rate), {@code selective} (stream i filters {@code subject ==
   * "hmd-(i % 25)"}: 25 distinct filters, 100 events/s each), {@code unfiltered} (every event to
   * every stream) and {@code sampled} (every event, as the live page asks: {@code sample=200}). Run
   * each scenario in a JVM of its own so that their memory figures do not mix.
   */
  static final class WarRoom {
    private static final byte[] ID_MARK = "\"id\":\"b".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DROPPED_MARK = "\"dropped\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MATCHED_MARK = "\"matched\":".getBytes(StandardCharsets.US_ASCII);
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

        long total = (long) (WARM_UP_SECONDS * WARM_UP_RATE) + (long) rate * seconds;
        AtomicLongArray sentAt = new AtomicLongArray((int) total);
        long[] latencyHistogram = new long[100_001]; // 0.1 ms buckets up to 10 s
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
          clients.add(Client.open(web.actualPort(), scenario, i, sentAt, latencyHistogram));
        }
        for (Client client : clients) {
          client.awaitReady();
        }
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(vertx, kafka, "bench")) {
          // the stream path compiled before it is measured (the indexer starts cold in every
          // scenario alike)
          publish(publisher, sentAt, 0, WARM_UP_RATE, WARM_UP_SECONDS);
          Thread.sleep(1000);
          for (Client client : clients) {
            client.startMeasuring(WARM_UP_SECONDS * WARM_UP_RATE);
          }
          synchronized (latencyHistogram) {
            Arrays.fill(latencyHistogram, 0);
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
                          publish(publisher, sentAt, WARM_UP_SECONDS * WARM_UP_RATE, rate, seconds);
                    },
                    "bench-publisher");
            pacer.start();
            pacer.join();
            indexRate =
                (indexer.indexedCount() - indexedBefore) / ((System.nanoTime() - start) / 1e9);
            indexedAtEnd = indexer.indexedCount();
            achieved = achievedRate[0];
            // what is still on its way: until no client received anything for 2 s (at most 20 s)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long last = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline
                && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
              long now = clients.stream().mapToLong(c -> c.received.get()).sum();
              if (now != last) {
                last = now;
                quietSince = System.nanoTime();
              }
              Thread.sleep(100);
            }
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
              clients,
              latencyHistogram,
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
          clients.forEach(Client::close);
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        IndexingBenchmark.deleteTree(work);
      }
    }

    /** Publishes {@code rate} events/s for {@code seconds}, numbered from {@code first}. */
    private static double publish(
        KafkaEventPublisher publisher, AtomicLongArray sentAt, int first, int rate, int seconds) {
      EventCodec codec = EventCodec.instance();
      codec.validateData(event(first));
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
        CloudEvent event = event(seq);
        byte[] key = event.subject().getBytes(StandardCharsets.UTF_8);
        sentAt.set(seq, System.nanoTime());
        publisher.send(new ProducerRecord<>(Topics.EVENTS, key, codec.encode(event)));
      }
      return count / ((System.nanoTime() - start) / 1e9);
    }

    private static CloudEvent event(int seq) {
      return CloudEvent.of(new FrameDropped(90, 2, seq, seq + 1L, 12_000, "loop"))
          .id("b" + seq)
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
        List<Client> clients,
        long[] histogram,
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
      if (!clients.isEmpty()) {
        out.append(
            String.format(
                Locale.ROOT,
                "streams the server ended before the run was over: %d%n",
                clients.stream().filter(c -> c.ended.get()).count()));
        long[] received = clients.stream().mapToLong(c -> c.received.get()).sorted().toArray();
        long[] drops = clients.stream().mapToLong(c -> c.dropNotices.get()).sorted().toArray();
        long droppedEvents = clients.stream().mapToLong(c -> c.droppedEvents.get()).sum();
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
          for (Client c : clients) {
            long expected = published / SUBJECTS;
            expectedAll += expected;
            missing += Math.max(0, expected - c.distinct.cardinality());
            duplicates += c.received.get() - c.distinct.cardinality();
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
          long[] summed = clients.stream().mapToLong(c -> c.summarized.get()).sorted().toArray();
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

    /** One SSE client that scans the bytes it reads (no JSON parsing), on a thread of its own. */
    static final class Client {
      /** HTTP/1.1, as a browser's EventSource over plain HTTP; one connection per stream. */
      private static final HttpClient HTTP =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

      final AtomicBoolean ended = new AtomicBoolean();
      final AtomicLong received = new AtomicLong();
      final AtomicLong dropNotices = new AtomicLong();
      final AtomicLong droppedEvents = new AtomicLong();
      final AtomicLong summarized = new AtomicLong();
      final java.util.BitSet distinct = new java.util.BitSet();
      private final CountDownLatch ready = new CountDownLatch(1);
      private final AtomicLongArray sentAt;
      private final long[] histogram;
      private volatile int measureFrom = Integer.MAX_VALUE;
      private HttpResponse<InputStream> response;
      private Thread thread;

      private Client(AtomicLongArray sentAt, long[] histogram) {
        this.sentAt = sentAt;
        this.histogram = histogram;
      }

      static Client open(
          int port, String scenario, int index, AtomicLongArray sentAt, long[] histogram)
          throws Exception {
        String query =
            switch (scenario) {
              case "selective" ->
                  "filter="
                      + java.net.URLEncoder.encode(
                          "subject == \"hmd-" + (index % FILTERS) + "\"", StandardCharsets.UTF_8);
              case "sampled" -> "sample=200";
              default -> "";
            };
        Client client = new Client(sentAt, histogram);
        client.response =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/events/stream?" + query))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (client.response.statusCode() != 200) {
          throw new IllegalStateException(
              "stream " + index + " answered " + client.response.statusCode());
        }
        client.thread = new Thread(client::read, "bench-sse-client-" + index);
        client.thread.setDaemon(true);
        client.thread.start();
        return client;
      }

      void awaitReady() throws InterruptedException {
        if (!ready.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("a stream never said it was ready");
        }
      }

      /** Counts only events numbered {@code first} and after (the warm-up is over). */
      void startMeasuring(int first) {
        received.set(0);
        dropNotices.set(0);
        droppedEvents.set(0);
        summarized.set(0);
        measureFrom = first;
      }

      void close() {
        try {
          response.body().close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }

      private void read() {
        byte[] buffer = new byte[1 << 17];
        int filled = 0;
        String event = null;
        try (InputStream in = response.body()) {
          while (true) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
              ended.set(true);
              return;
            }
            filled += n;
            int lineStart = 0;
            for (int i = 0; i < filled; i++) {
              if (buffer[i] != '\n') {
                continue;
              }
              int length = i - lineStart;
              if (length == 0) {
                event = null;
              } else if (startsWith(buffer, lineStart, "event: ")) {
                event = new String(buffer, lineStart + 7, length - 7, StandardCharsets.US_ASCII);
                if (event.equals("ready")) {
                  ready.countDown();
                }
              } else if (startsWith(buffer, lineStart, "data: ")) {
                data(buffer, lineStart, i, event);
              }
              lineStart = i + 1;
            }
            System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
            filled -= lineStart;
          }
        } catch (IOException closed) {
          ended.set(true); // the run is over, or the server cut the stream off
        }
      }

      private void data(byte[] line, int from, int to, String event) {
        long now = System.nanoTime();
        if (event == null) {
          long seq = numberAfter(line, from, to, ID_MARK);
          if (seq < measureFrom || seq >= sentAt.length()) {
            return;
          }
          received.incrementAndGet();
          distinct.set((int) seq);
          long latency = now - sentAt.get((int) seq);
          int bucket = (int) Math.min(histogram.length - 1, Math.max(0, latency / 100_000));
          synchronized (histogram) {
            histogram[bucket]++;
          }
        } else if (event.equals("dropped")) {
          dropNotices.incrementAndGet();
          droppedEvents.addAndGet(Math.max(0, numberAfter(line, from, to, DROPPED_MARK)));
        } else if (event.equals("summary")) {
          summarized.addAndGet(Math.max(0, numberAfter(line, from, to, MATCHED_MARK)));
        }
      }

      private static boolean startsWith(byte[] buffer, int at, String prefix) {
        if (at + prefix.length() > buffer.length) {
          return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
          if (buffer[at + i] != prefix.charAt(i)) {
            return false;
          }
        }
        return true;
      }

      /** The decimal number right after {@code mark} in {@code line[from, to)}; -1 if none. */
      private static long numberAfter(byte[] line, int from, int to, byte[] mark) {
        outer:
        for (int i = from; i + mark.length <= to; i++) {
          for (int j = 0; j < mark.length; j++) {
            if (line[i + j] != mark[j]) {
              continue outer;
            }
          }
          long value = 0;
          int k = i + mark.length;
          if (k >= to || line[k] < '0' || line[k] > '9') {
            return -1;
          }
          while (k < to && line[k] >= '0' && line[k] <= '9') {
            value = value * 10 + (line[k++] - '0');
          }
          return value;
        }
        return -1;
      }
    }
  }
}
