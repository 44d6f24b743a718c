package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.notifications.NotificationsService;
import io.valentia.notifications.receiver.Integration;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * It is over 400 lines because it is one scenario best read top to bottom: configure the
 * notifications role with a real receiver, warm up, publish at a steady rate, wait for the
 * deliveries, then report. Its nested parts (the paced {@code Publisher}, the {@code Receiver} that
 * stamps each request, the {@code Stages} that split the latency by where it was spent) exist only
 * for this measurement and are read with it.
 *
 * <p>The notifications role's latency from an event to the webhook request about it, beyond {@code
 * group_wait}: incident traffic ({@code incident.opened} events, each of a new incident, so each
 * opens a group of its own) published at a steady rate to {@code valentia.events} on an embedded
 * broker; the real {@link NotificationsService} (subscriber, dispatcher, durable outbox on {@code
 * valentia.state.outbox}) routes them with {@code group_by: [incident]} to one webhook receiver, a
 * real Vert.x HTTP server in the same JVM. For each event: the time the receiver has read the
 * request naming its incident, minus the event's {@code time}, minus {@code group_wait}.
 *
 * <p>Usage: {@code java -cp bench/target/valentia-bench.jar
 * io.valentia.bench.NotificationLatencyBenchmark [--rate 1000] [--seconds 60] [--group-wait 1s]
 * [--warmup 10] [--drain 60]}: a warm-up of {@code --warmup} seconds at the same rate (not
 * measured, waited for until delivered), then {@code --seconds} measured; after the last event the
 * receiver is given {@code group_wait} plus {@code --drain} seconds to get the rest.
 */
public final class NotificationLatencyBenchmark {
  private static final String RECEIVER = "bench";
  private static final int WINDOW_SECONDS = 10;

  private NotificationLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rate = 1_000;
    int seconds = 60;
    int warmup = 10;
    int drain = 60;
    String groupWaitText = "1s";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--group-wait" -> groupWaitText = args[++i];
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--drain" -> drain = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + "; usage: [--rate N] [--seconds S] [--group-wait 1s] [--warmup S] [--drain S]");
      }
    }
    Duration groupWait = Durations.parse(groupWaitText);
    String loadBefore = loadAverage();
    Path work = Files.createTempDirectory("valentia-notification-bench");
    Vertx receivers = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), 0)) {
      BenchServiceContext context = null;
      try {
        KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers());
        new TopicProvisioner(kafka).ensureTopics(Duration.ofSeconds(60));

        Receiver receiver = new Receiver(rate * seconds);
        HttpServer server = receiver.listen(receivers);
        JsonNode config =
            new YAMLMapper()
                .readTree(
                    String.join(
                        "\n",
                        "external_url: https://valentia.example",
                        "route:",
                        "  receiver: " + RECEIVER,
                        "  group_by: [incident]",
                        "  group_wait: " + groupWaitText,
                        "  group_interval: 5m",
                        "  repeat_interval: 4h",
                        "receivers:",
                        "  - name: " + RECEIVER,
                        "    webhook_configs:",
                        "      - url: 'http://127.0.0.1:" + server.actualPort() + "/hook'"));
        context =
            BenchServiceContext.create(
                vertx, kafka, "notifications-bench", work.resolve("notifications"), config);
        long startedAt = System.nanoTime();
        new NotificationsService()
            .start(context)
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
        System.err.printf(
            Locale.ROOT,
            "notifications service started in %.1f s%n",
            (System.nanoTime() - startedAt) / 1e9);

        Publisher publisher = new Publisher(context);
        if (warmup > 0) {
          int n = rate * warmup;
          System.err.printf(Locale.ROOT, "warm-up: %,d events at %,d/s%n", n, rate);
          publisher.run("warm", rate, n, null);
          long deadline = System.nanoTime() + groupWait.toNanos() + TimeUnit.SECONDS.toNanos(drain);
          while (receiver.warmupReceived.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          System.err.printf(
              Locale.ROOT,
              "warm-up: %,d of %,d notifications received%n",
              receiver.warmupReceived.get(),
              n);
          Thread.sleep(groupWait.toMillis() + 2_000);
        }

        int total = rate * seconds;
        System.err.printf(
            Locale.ROOT, "measuring: %,d events at %,d/s for %d s%n", total, rate, seconds);
        CpuSampler cpu = new CpuSampler();
        long sendStart = System.nanoTime();
        publisher.run("inc", rate, total, receiver.eventMicros);
        double sendSeconds = (System.nanoTime() - sendStart) / 1e9;
        long deadline = System.nanoTime() + groupWait.toNanos() + TimeUnit.SECONDS.toNanos(drain);
        while (receiver.distinct.get() < total && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        double lastReceivedAfter =
            (receiver.lastReceivedNanos.get() - sendStart) / 1e9 - sendSeconds;
        String cpuReport = cpu.report("measured phase (sending and draining)");
        String loadAfter = loadAverage();
        report(
            receiver,
            total,
            rate,
            seconds,
            sendSeconds,
            groupWait,
            lastReceivedAfter,
            context.health().everRaised(),
            loadBefore,
            loadAfter);
        System.out.print(cpuReport);
        System.out.print(Stages.of(kafka, receiver, total, groupWait));
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (context != null) {
          context.close();
        }
      }
    } finally {
      receivers.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      IndexingBenchmark.deleteTree(work);
    }
  }

  private static void report(
      Receiver receiver,
      int total,
      int rate,
      int seconds,
      double sendSeconds,
      Duration groupWait,
      double lastReceivedAfter,
      Map<String, HealthCheck> raised,
      String loadBefore,
      String loadAfter) {
    long groupWaitMicros = groupWait.toNanos() / 1_000;
    long[] latencies = new long[total];
    int n = 0;
    int missing = 0;
    int duplicated = 0;
    List<List<Long>> windows = new ArrayList<>();
    for (int w = 0; w < (seconds + WINDOW_SECONDS - 1) / WINDOW_SECONDS; w++) {
      windows.add(new ArrayList<>());
    }
    for (int i = 0; i < total; i++) {
      int count = receiver.counts.get(i);
      if (count == 0) {
        missing++;
        continue;
      }
      if (count > 1) {
        duplicated++;
      }
      long latency = receiver.firstMicros.get(i) - receiver.eventMicros.get(i) - groupWaitMicros;
      latencies[n++] = latency;
      windows.get(Math.min(windows.size() - 1, i / rate / WINDOW_SECONDS)).add(latency);
    }
    long[] measured = Arrays.copyOf(latencies, n);
    Arrays.sort(measured);
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%n| rate (events/s) | achieved | sent | received | missing | duplicated | requests"
                + " | p50 | p90 | p99 | max | min |%n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|%n"
                + "| %,d | %,.0f | %,d | %,d | %,d | %,d | %,d | %s | %s | %s | %s | %s |%n",
            rate,
            total / sendSeconds,
            total,
            n,
            missing,
            duplicated,
            receiver.requests.get(),
            ms(quantile(measured, 0.50)),
            ms(quantile(measured, 0.90)),
            ms(quantile(measured, 0.99)),
            ms(n == 0 ? Long.MIN_VALUE : measured[n - 1]),
            ms(n == 0 ? Long.MIN_VALUE : measured[0])));
    out.append(
        String.format(
            Locale.ROOT,
            "%nlatency = request read by the receiver - event time - group_wait (%s)%n",
            Durations.format(groupWait)));
    out.append(
        String.format(
            Locale.ROOT,
            "last request %.1f s after the last event was sent; notification ids received more"
                + " than once: %,d%n",
            lastReceivedAfter,
            receiver.repeatedIds.get()));
    out.append(String.format(Locale.ROOT, "%n| events sent in | received | p50 | p99 | max |%n"));
    out.append("|---|---|---|---|---|\n");
    for (int w = 0; w < windows.size(); w++) {
      long[] win = windows.get(w).stream().mapToLong(Long::longValue).sorted().toArray();
      out.append(
          String.format(
              Locale.ROOT,
              "| %d-%d s | %,d | %s | %s | %s |%n",
              w * WINDOW_SECONDS,
              Math.min(seconds, (w + 1) * WINDOW_SECONDS),
              win.length,
              ms(quantile(win, 0.50)),
              ms(quantile(win, 0.99)),
              ms(win.length == 0 ? Long.MIN_VALUE : win[win.length - 1])));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%nhealth checks raised during the run: %s%n",
            raised.isEmpty() ? "none" : raised.keySet()));
    out.append(
        String.format(
            Locale.ROOT,
            "JDK %s, %d cores; load average before: %s, after: %s%n",
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            loadBefore,
            loadAfter));
    System.out.print(out);
  }

  private static long quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Long.MIN_VALUE;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }

  private static String ms(long micros) {
    return micros == Long.MIN_VALUE
        ? "n/a"
        : String.format(Locale.ROOT, "%,.1f ms", micros / 1_000.0);
  }

  static String loadAverage() {
    try {
      String[] parts =
          Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  /**
   * Where the time went, from the record timestamps (the producer's clock at {@code send}) of the
   * role's own state topics, read back after the run: the first write of an incident's group to
   * {@code valentia.state.notification-groups} is made as its event is handled; the notification's
   * entry in {@code valentia.state.outbox} as the group is flushed.
   */
  private static final class Stages {
    private static final java.util.regex.Pattern INCIDENT =
        java.util.regex.Pattern.compile("incident[^a-z]{1,12}(inc-[0-9]+)");

    static String of(KafkaSettings kafka, Receiver receiver, int total, Duration groupWait) {
      long[] handled = firstWrite(kafka, Topics.STATE_NOTIFICATION_GROUPS, total);
      long[] flushed = firstWrite(kafka, Topics.STATE_OUTBOX, total);
      long groupWaitMicros = groupWait.toNanos() / 1_000;
      List<Long> toHandler = new ArrayList<>();
      List<Long> toFlush = new ArrayList<>();
      List<Long> toReceiver = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        long event = receiver.eventMicros.get(i);
        if (handled[i] != 0) {
          toHandler.add(handled[i] - event);
          if (flushed[i] != 0) {
            toFlush.add(flushed[i] - handled[i] - groupWaitMicros);
          }
        }
        if (flushed[i] != 0 && receiver.counts.get(i) > 0) {
          toReceiver.add(receiver.firstMicros.get(i) - flushed[i]);
        }
      }
      StringBuilder out = new StringBuilder();
      out.append("\n| stage (from record timestamps) | events | p50 | p99 | max |\n");
      out.append("|---|---|---|---|---|\n");
      row(out, "event time to its group written (consumed, handled)", toHandler);
      row(out, "group written to outbox entry written, minus group_wait (tick, flush)", toFlush);
      row(out, "outbox entry written to request read by the receiver", toReceiver);
      return out.toString();
    }

    private static void row(StringBuilder out, String stage, List<Long> values) {
      long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s | %s | %s |%n",
              stage,
              sorted.length,
              ms(quantile(sorted, 0.50)),
              ms(quantile(sorted, 0.99)),
              ms(sorted.length == 0 ? Long.MIN_VALUE : sorted[sorted.length - 1])));
    }

    /** The earliest record timestamp naming each measured incident, in microseconds. */
    private static long[] firstWrite(KafkaSettings kafka, String topic, int total) {
      long[] first = new long[total];
      Map<String, Object> props = kafka.commonClientProperties("bench-stages");
      try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
          new org.apache.kafka.clients.consumer.KafkaConsumer<>(
              props,
              new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        List<org.apache.kafka.common.TopicPartition> partitions =
            consumer.partitionsFor(topic).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline
            && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (var record : consumer.poll(Duration.ofMillis(200))) {
            String text =
                (record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8))
                    + (record.value() == null
                        ? ""
                        : new String(record.value(), StandardCharsets.UTF_8));
            java.util.regex.Matcher m = INCIDENT.matcher(text);
            if (m.find()) {
              int i = Integer.parseInt(m.group(1).substring(4));
              long at = record.timestamp() * 1_000;
              if (i < total && (first[i] == 0 || at < first[i])) {
                first[i] = at;
              }
            }
          }
        }
      }
      return first;
    }
  }

  /** Publishes {@code incident.opened} events, each of a new incident, at a steady rate. */
  private static final class Publisher {
    private final BenchServiceContext context;
    private final EventCodec codec = EventCodec.instance();

    Publisher(BenchServiceContext context) {
      this.context = context;
    }

    /**
     * Sends {@code total} events {@code prefix-I}; the event time of the I-th in {@code times}
     * (microseconds since the epoch) when given. Every event has the same shape: the first one is
     * checked against its schema, the rest are only encoded, as in {@link StreamBenchmark}.
     */
    void run(String prefix, int rate, int total, AtomicLongArray times) {
      codec.validateData(opened(prefix + "-0", Instant.now()));
      long intervalNanos = 1_000_000_000L / rate;
      long start = System.nanoTime();
      for (int i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 50_000) {
          LockSupport.parkNanos(wait);
        }
        Instant at = Instant.now();
        CloudEvent event = opened(prefix + "-" + i, at);
        if (times != null) {
          times.set(i, micros(at));
        }
        context
            .publisher()
            .send(
                new ProducerRecord<>(
                    Topics.EVENTS,
                    Topics.keyOf(event).getBytes(StandardCharsets.UTF_8),
                    codec.encode(event)));
      }
    }

    private static CloudEvent opened(String incident, Instant at) {
      return CloudEvent.of(
              new IncidentOpened("Frame drops on hmd-1", "SEV2", "frame-drops", List.of()))
          .source("/postmortem/incidents")
          .subject("hmd-1")
          .incidentId(incident)
          .time(at)
          .build();
    }
  }

  /** The webhook receiver: notes when each incident's notification arrived, and how often. */
  private static final class Receiver {
    final AtomicLongArray eventMicros;
    final AtomicLongArray firstMicros;
    final AtomicIntegerArray counts;
    final AtomicInteger distinct = new AtomicInteger();
    final AtomicInteger warmupReceived = new AtomicInteger();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong lastReceivedNanos = new AtomicLong();
    final Set<String> notificationIds = ConcurrentHashMap.newKeySet();
    final AtomicLong repeatedIds = new AtomicLong();

    Receiver(int total) {
      eventMicros = new AtomicLongArray(total);
      firstMicros = new AtomicLongArray(total);
      counts = new AtomicIntegerArray(total);
    }

    HttpServer listen(Vertx vertx) throws Exception {
      Router router = Router.router(vertx);
      router
          .post("/hook")
          .handler(BodyHandler.create())
          .handler(
              ctx -> {
                long now = micros(Instant.now());
                lastReceivedNanos.set(System.nanoTime());
                requests.incrementAndGet();
                String id = ctx.request().getHeader(Integration.NOTIFICATION_ID_HEADER);
                if (id != null && !notificationIds.add(id)) {
                  repeatedIds.incrementAndGet();
                }
                try {
                  JsonNode body = EventCodec.MAPPER.readTree(ctx.body().asString());
                  for (JsonNode alert : body.path("alerts")) {
                    note(alert.path("labels").path("incident").asText(), now);
                  }
                } catch (Exception e) {
                  ctx.response().setStatusCode(400).end();
                  return;
                }
                ctx.response().setStatusCode(200).end("ok");
              });
      return vertx
          .createHttpServer()
          .requestHandler(router)
          .listen(0, "127.0.0.1")
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }

    private void note(String incident, long now) {
      if (incident.startsWith("warm-")) {
        warmupReceived.incrementAndGet();
        return;
      }
      if (!incident.startsWith("inc-")) {
        return;
      }
      int i = Integer.parseInt(incident.substring(4));
      if (counts.getAndIncrement(i) == 0) {
        firstMicros.set(i, now);
        distinct.incrementAndGet();
      }
    }
  }
}
