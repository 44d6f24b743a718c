package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * It is about 400 lines because it is one comparison best read top to bottom: for each layout,
 * start its processes on a fresh data directory, then measure ingest, search and the live stream in
 * that order on the same platform, and print one line per layout.
 *
 * <p>The platform in one process beside the platform in four: the web role (with notifications and
 * the embedded broker) as the one entry point, and postmortem, chaos and probes each in a process
 * of its own behind its gateway. For each layout, on a fresh data directory: the ingest rate (N
 * ordinary probe events produced to {@code valentia.events}, timed from the first produced to the
 * last searchable in the postmortem role's index), search latency through the web process (the
 * four-process layout forwards every search), and the latency from a publish to the event's {@code
 * data:} line on a Server-Sent-Events client of the web process's live stream.
 *
 * <p>Usage (after {@code mvn -pl app,bench -am package -DskipTests}): {@code java -cp
 * bench/target/valentia-bench.jar io.valentia.bench.LayoutBenchmark [--events 200000] [--searches
 * 1000] [--stream-seconds 10] [--stream-rate 500] [--layouts all-in-one,four]}; {@code JAVA_OPTS}
 * is passed to every platform process.
 */
public final class LayoutBenchmark {
  private static final String TOKEN = "vt_layout-benchmark-admin-token-0123456789";
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LayoutBenchmark() {}

  /** What one layout measured. */
  record Result(
      String layout,
      int processes,
      double produced,
      double ingest,
      double[] search,
      double[] stream,
      int streamed,
      int sent) {}

  public static void main(String[] args) throws Exception {
    long events = 200_000;
    int searches = 1000;
    int streamSeconds = 10;
    int streamRate = 500;
    List<String> layouts = List.of("all-in-one", "four");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--events" -> events = Long.parseLong(args[i + 1]);
        case "--searches" -> searches = Integer.parseInt(args[i + 1]);
        case "--stream-seconds" -> streamSeconds = Integer.parseInt(args[i + 1]);
        case "--stream-rate" -> streamRate = Integer.parseInt(args[i + 1]);
        case "--layouts" -> layouts = List.of(args[i + 1].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String javaOpts = System.getenv().getOrDefault("JAVA_OPTS", "-Xmx1g");
    PlatformProcess.Launch launch =
        new PlatformProcess.Launch(
            Path.of("").toAbsolutePath(),
            javaOpts.isBlank() ? List.of() : Arrays.asList(javaOpts.trim().split("\\s+")),
            false,
            TOKEN);
    List<Result> results = new ArrayList<>();
    for (String layout : layouts) {
      System.err.printf(Locale.ROOT, "%s:%n", layout);
      results.add(run(launch, layout, events, searches, streamSeconds, streamRate));
    }
    System.out.printf(
        Locale.ROOT,
        "%n| layout | processes | produce | ingest: produced → searchable | search p50 / p99 / max"
            + " (%d, through the web process) | emit → browser p50 / p99 / max (%d events/s, %d s)"
            + " |%n|---|---|---|---|---|---|%n",
        searches,
        streamRate,
        streamSeconds);
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %,.0f events/s | **%,.0f events/s** | %.1f / **%.1f** / %.1f ms | %.1f /"
              + " **%.1f** / %.1f ms (%d of %d) |%n",
          r.layout,
          r.processes,
          r.produced,
          r.ingest,
          r.search[0],
          r.search[1],
          r.search[2],
          r.stream[0],
          r.stream[1],
          r.stream[2],
          r.streamed,
          r.sent);
    }
  }

  private static Result run(
      PlatformProcess.Launch launch,
      String layout,
      long events,
      int searches,
      int streamSeconds,
      int streamRate)
      throws Exception {
    Path work = Files.createTempDirectory("valentia-layout-");
    int kafkaPort = freePort();
    int webPort = freePort();
    String bootstrap = "127.0.0.1:" + kafkaPort;
    URI web = URI.create("http://127.0.0.1:" + webPort);
    URI index = web;
    List<PlatformProcess> processes = new ArrayList<>();
    try {
      if (layout.equals("all-in-one")) {
        processes.add(
            PlatformProcess.start(
                launch, work.resolve("data"), work.resolve("platform.log"), webPort, kafkaPort));
      } else if (layout.equals("four")) {
        int postmortem = freePort();
        int chaos = freePort();
        int probes = freePort();
        PlatformProcess entry =
            PlatformProcess.start(
                launch,
                work.resolve("web"),
                work.resolve("web.log"),
                webPort,
                kafkaPort,
                List.of(
                    "--role",
                    "web",
                    "--role",
                    "notifications",
                    "--upstream",
                    "postmortem=http://127.0.0.1:" + postmortem,
                    "--upstream",
                    "chaos=http://127.0.0.1:" + chaos,
                    "--upstream",
                    "probes=http://127.0.0.1:" + probes));
        processes.add(entry);
        // the others need its broker
        PlatformFill.awaitTrue(() -> entry.health().isPresent(), "the web process answers");
        for (Map.Entry<String, Integer> role :
            Map.of("postmortem", postmortem, "chaos", chaos, "probes", probes).entrySet()) {
          // the broker's credentials and the platform key, as an operator copies them to a host
          copySecrets(work.resolve("web"), work.resolve(role.getKey()));
          processes.add(
              // --kafka-port is not used with --kafka
              PlatformProcess.start(
                  launch,
                  work.resolve(role.getKey()),
                  work.resolve(role.getKey() + ".log"),
                  role.getValue(),
                  0,
                  List.of("--kafka", bootstrap, "--role", role.getKey())));
        }
        index = URI.create("http://127.0.0.1:" + postmortem);
      } else {
        throw new IllegalArgumentException("layouts are all-in-one and four, not " + layout);
      }
      for (PlatformProcess process : processes) {
        PlatformProcess.Start start =
            process.awaitOk(Duration.ofMillis(200), Duration.ofMinutes(5));
        if (start.okMillis() < 0 && start.firstAnswerMillis() < 0) {
          throw new IllegalStateException(layout + ": a process did not start: " + start);
        }
      }
      PlatformProcess entry = processes.get(0);
      PlatformFill.awaitTrue(
          () -> entry.health().map(h -> h.status().equals("HEALTH_OK")).orElse(false),
          "HEALTH_OK at the web process");
      System.err.printf(Locale.ROOT, "  up: %d processes%n", processes.size());

      PlatformFill fill =
          new PlatformFill(
              bootstrap, work.resolve(layout.equals("all-in-one") ? "data" : "web"), index, TOKEN);
      long before = fill.searchableWhenSettled();
      long started = System.nanoTime();
      double produced = fill.produceEvents(events, 2);
      long expected = before + events;
      PlatformFill.awaitTrue(
          () -> fill.searchable() >= expected, expected + " searchable", Duration.ofMinutes(30));
      double ingest = events / ((System.nanoTime() - started) / 1e9);
      System.err.printf(
          Locale.ROOT,
          "  produced at %,.0f events/s, searchable at %,.0f events/s%n",
          produced,
          ingest);

      double[] search = search(web, searches);
      System.err.printf(Locale.ROOT, "  search p99 %.1f ms%n", search[1]);
      int[] counts = new int[2];
      double[] stream =
          stream(
              web,
              bootstrap,
              work.resolve(layout.equals("all-in-one") ? "data" : "web"),
              streamSeconds,
              streamRate,
              counts);
      System.err.printf(Locale.ROOT, "  emit → browser p99 %.1f ms%n", stream[1]);
      return new Result(
          layout, processes.size(), produced, ingest, search, stream, counts[0], counts[1]);
    } finally {
      for (PlatformProcess process : processes) {
        process.close();
      }
    }
  }

  /** Match-all searches, top 20 newest with the default facets, one after the other. */
  private static double[] search(URI web, int count) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(web.resolve("/api/v1/events/search?q=*:*&size=20"))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(30))
            .build();
    for (int i = 0; i < Math.min(100, count); i++) {
      HTTP.send(request, HttpResponse.BodyHandlers.ofString()); // warm-up
    }
    double[] millis = new double[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      millis[i] = (System.nanoTime() - start) / 1e6;
      if (answer.statusCode() != 200) {
        throw new IllegalStateException("search answered " + answer.statusCode());
      }
    }
    return percentiles(millis);
  }

  /**
   * Publishes {@code rate} events/s for {@code seconds} to Kafka and reads them on a live stream of
   * the web process: latencies in ms; {@code counts} gets the events read and sent.
   */
  private static double[] stream(
      URI web, String bootstrap, Path dataDir, int seconds, int rate, int[] counts)
      throws Exception {
    String subject = "layout-bench-" + System.nanoTime();
    String filter = "subject == \"" + subject + "\"";
    HttpRequest request =
        HttpRequest.newBuilder(
                web.resolve(
                    "/api/v1/events/stream?filter="
                        + URLEncoder.encode(filter, StandardCharsets.UTF_8)))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the stream answered " + response.statusCode());
    }
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    int total = seconds * rate;
    double[] latencies = new double[total];
    AtomicInteger received = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(1);
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
                  } else if (line.startsWith("data: {")) {
                    long now = System.nanoTime();
                    Matcher id = ID.matcher(line);
                    Long at = id.find() ? sentAt.remove(id.group(1)) : null;
                    if (at != null) {
                      int n = received.getAndIncrement();
                      if (n < total) {
                        latencies[n] = (now - at) / 1e6;
                      }
                    }
                  }
                }
              } catch (IOException closed) {
                // the run is over
              }
            },
            "layout-sse-client");
    client.setDaemon(true);
    client.start();
    if (!ready.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the stream never said it was ready");
    }
    Properties props = new Properties();
    // the embedded broker of the platform: signed in with its data directory's credentials
    props.putAll(
        io.valentia.eventbus.security.KafkaClientSecurity.resolve(
            null, dataDir, io.valentia.eventbus.security.KafkaRole.ADMIN));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    EventCodec codec = EventCodec.instance();
    JsonNode data = EventCodec.MAPPER.readTree("{\"note\":\"layout benchmark\"}");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      long next = System.nanoTime();
      for (int i = 0; i < total; i++) {
        CloudEvent event =
            CloudEvent.builder("com.example.layout.bench.v1")
                .source("/bench/layout")
                .subject(subject)
                .data(data)
                .build();
        byte[] bytes = codec.encode(event);
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        sentAt.put(event.id(), System.nanoTime());
        producer.send(
            new ProducerRecord<>(Topics.EVENTS, subject.getBytes(StandardCharsets.UTF_8), bytes));
        next += interval;
      }
      producer.flush();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    counts[0] = Math.min(received.get(), total);
    counts[1] = total;
    return percentiles(Arrays.copyOf(latencies, counts[0]));
  }

  /** p50, p99 and max of {@code values}. */
  private static double[] percentiles(double[] values) {
    if (values.length == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return new double[] {
      sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.50))],
      sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))],
      sorted[sorted.length - 1]
    };
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Copies the data directory's {@code secrets/} (owner-only) into another data directory. */
  private static void copySecrets(Path from, Path to) throws java.io.IOException {
    Path source = from.resolve("secrets");
    Path target = to.resolve("secrets");
    java.nio.file.Files.createDirectories(
        target,
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(source)) {
      for (Path file : files.toList()) {
        Path copy = target.resolve(file.getFileName());
        java.nio.file.Files.copy(
            file,
            copy,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        java.nio.file.Files.setPosixFilePermissions(
            copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
    }
  }
}
