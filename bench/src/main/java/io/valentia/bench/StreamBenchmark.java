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
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * streams while the indexer catches up on a backlog; see {@link WarRoomBenchmark}.
 */
public final class StreamBenchmark {
  static final String TOKEN = "vt_stream-benchmark-admin-token-0123456789";

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
      WarRoomBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
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
}
