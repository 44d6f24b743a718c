package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.RaisedCheck;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.payload.OsdPing;
import io.valentia.eventbus.payload.SyscallDenied;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * It is over 400 lines because it is one recipe read top to bottom: the fast events produced
 * straight to Kafka, then each kind of state made through the API that makes it in production
 * (incidents, mutes, leases, schedules, tokens, postmortems), each a short step, with the small
 * HTTP and waiting helpers those steps share. Split by kind, the recipe of a busy platform would no
 * longer read in one place.
 *
 * <p>Fills a running platform the way a busy one fills: probe events straight to {@code
 * valentia.events} with a Kafka producer, as fast as the broker takes them, and the ordinary amount
 * of state through what creates it in production (events that trigger the incident rules, the API
 * for leases, schedules, health mutes, tokens, incident status changes and postmortems).
 */
final class PlatformFill {
  /**
   * How much state to create.
   *
   * @param incidents MTU mismatches on distinct subjects, each opening one incident (every third is
   *     then moved to mitigated)
   * @param leases leases granted (24 h terms, no lessee process)
   * @param schedules schedules of a harmless experiment that fire once a year
   * @param mutes health checks raised by {@code health.changed} events and then muted (sticky)
   * @param tokens API tokens created
   * @param postmortems postmortems drafted from the first incidents
   */
  record StateCounts(
      int incidents, int leases, int schedules, int mutes, int tokens, int postmortems) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d incidents, %d leases, %d schedules, %d mutes, %d tokens, %d postmortems",
          incidents,
          leases,
          schedules,
          mutes,
          tokens,
          postmortems);
    }
  }

  private static final int HOSTS = 64;

  private final String bootstrap;
  private final java.nio.file.Path data;
  private final URI api;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final EventCodec codec = EventCodec.instance();

  /**
   * @param data the platform's data directory, whose Kafka credentials (made at its first start)
   *     sign in to its embedded broker
   */
  PlatformFill(String bootstrap, java.nio.file.Path data, URI web, String token) {
    this.bootstrap = bootstrap;
    this.data = data;
    this.api = web.resolve("/api/v1/");
    this.token = token;
  }

  /**
   * Produces {@code count} ordinary probe events (55 % MTU pings, 40 % OSD heartbeat pings, 5 %
   * ERRNO syscall denials: none of them opens an incident), keyed by subject, acks=all and lz4 as
   * the platform's publisher, built and encoded by {@code threads} threads sharing one producer;
   * returns the rate in events/s.
   */
  double produceEvents(long count, int threads) throws InterruptedException {
    if (count == 0) {
      return 0;
    }
    Properties props = new Properties();
    props.putAll(security());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    AtomicLong sent = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long share = count / threads + (t < count % threads ? 1 : 0);
        Random random = new Random(42 + t);
        Thread worker =
            new Thread(
                () -> {
                  for (long i = 0; i < share && failure.get() == null; i++) {
                    CloudEvent event = ordinaryEvent(random);
                    producer.send(
                        new ProducerRecord<>(
                            Topics.EVENTS,
                            event.subject().getBytes(StandardCharsets.UTF_8),
                            codec.encode(event)),
                        (metadata, e) -> {
                          if (e != null) {
                            failure.compareAndSet(null, e);
                          }
                        });
                    sent.incrementAndGet();
                  }
                },
                "bench-producer-" + t);
        worker.start();
        workers.add(worker);
      }
      for (Thread worker : workers) {
        while (worker.isAlive()) {
          worker.join(10_000);
          if (worker.isAlive()) {
            System.err.printf(Locale.ROOT, "  produced %,d of %,d events%n", sent.get(), count);
          }
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("Kafka refused an event", failure.get());
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static CloudEvent ordinaryEvent(Random random) {
    int host = random.nextInt(HOSTS);
    int peer = (host + 1 + random.nextInt(HOSTS - 1)) % HOSTS;
    int kind = random.nextInt(100);
    if (kind < 55) {
      return CloudEvent.of(
              new MtuPing(
                  "10.0.1." + peer + ":7347",
                  8972,
                  true,
                  300L + random.nextInt(400),
                  "both",
                  "udp"))
          .source("/probes/mtu/osd-" + host)
          .subject("osd-" + host + "->osd-" + peer)
          .build();
    }
    if (kind < 95) {
      double last = Math.round((0.3 + random.nextDouble()) * 1000) / 1000.0;
      return CloudEvent.of(
              new OsdPing(
                  host,
                  peer,
                  random.nextBoolean() ? "back" : "front",
                  last,
                  new OsdPing.Windows(last, last, last),
                  new OsdPing.Windows(0.1, 0.1, 0.1),
                  new OsdPing.Windows(2, 2, 2),
                  false,
                  1000.0))
          .source("/probes/ceph/mgr-" + (host % 3))
          .subject("osd." + host + "->osd." + peer)
          .build();
    }
    Instant now = Instant.now();
    return CloudEvent.of(
            new SyscallDenied(
                "ptrace",
                101,
                "x86_64",
                "ERRNO",
                1,
                4000L + random.nextInt(1000),
                "vrserver",
                "/opt/steam/vrserver",
                1000L,
                null,
                "filter",
                1,
                now,
                now))
        .source("/probes/denials/host-" + (host % 16))
        .subject("vrserver")
        .build();
  }

  /** Creates the state {@code counts} asks for; waits until the platform shows each part. */
  void createState(StateCounts counts) throws Exception {
    openIncidents(counts.incidents());
    for (int i = 0; i < counts.leases(); i++) {
      ObjectNode body = EventCodec.MAPPER.createObjectNode();
      body.put("resource", "bench-hmd-" + i).put("termMs", 86_400_000);
      body.putObject("lessee").put("name", "bench-lessee-" + i);
      call("POST", "leases/", body, 201);
    }
    for (int i = 0; i < counts.schedules(); i++) {
      ObjectNode body = EventCodec.MAPPER.createObjectNode();
      body.put("id", "bench-schedule-" + i).put("schedule", "0 3 1 1 *");
      ObjectNode experiment = body.putObject("experiment");
      experiment
          .put("title", "bench schedule " + i)
          .put("description", "counts events once a year (needs nothing on the allow-lists)");
      ObjectNode probe = experiment.putArray("method").addObject();
      probe.put("type", "probe").put("name", "count-nothing");
      ObjectNode provider = probe.putObject("provider");
      provider.put("type", "valentia").put("probe", "event-count");
      provider.putObject("arguments").put("type", "com.example.none.v1").put("window", "1s");
      call("POST", "schedules", body, 201);
    }
    muteChecks(counts.mutes());
    for (int i = 0; i < counts.tokens(); i++) {
      ObjectNode body = EventCodec.MAPPER.createObjectNode();
      body.put("role", i % 2 == 0 ? "viewer" : "responder").put("name", "bench-" + i);
      call("POST", "tokens", body, 201);
    }
    List<String> incidents = new ArrayList<>();
    call("GET", "incidents/", null, 200)
        .path("incidents")
        .forEach(i -> incidents.add(i.path("id").asText()));
    for (int i = 0; i < incidents.size(); i += 3) {
      ObjectNode body = EventCodec.MAPPER.createObjectNode().put("status", "mitigated");
      call("POST", "incidents/" + incidents.get(i) + "/status", body, 200);
    }
    for (int i = 0; i < Math.min(counts.postmortems(), incidents.size()); i++) {
      ObjectNode body = EventCodec.MAPPER.createObjectNode().put("incidentId", incidents.get(i));
      call("POST", "postmortems/", body, 201);
    }
  }

  private void openIncidents(int count) throws Exception {
    if (count > HOSTS * (HOSTS - 1)) {
      throw new IllegalArgumentException("at most " + HOSTS * (HOSTS - 1) + " incidents");
    }
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int host = i % HOSTS;
      int peer = (host + 1 + i / HOSTS) % HOSTS;
      events.add(
          CloudEvent.of(new MtuMismatch("10.0.1." + peer + ":7347", 1472, 1473, 1500, "out"))
              .source("/probes/mtu/osd-" + host)
              .subject("osd-" + host + "->osd-" + peer)
              .severity(Severity.CRITICAL)
              .build());
    }
    publish(events);
    awaitTrue(
        () -> call("GET", "incidents/", null, 200).path("incidents").size() >= count,
        "incidents opened");
  }

  private void muteChecks(int count) throws Exception {
    List<CloudEvent> raised = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String check = "BENCH_CHECK_" + i;
      raised.add(
          CloudEvent.of(
                  new HealthChanged(
                      check, "HEALTH_WARN", "bench check " + i, List.of("raised by a bench"), 1))
              .source("/bench/startup")
              .subject(check)
              .severity(Severity.WARNING)
              .build());
    }
    publish(raised);
    raise(raised);
    awaitTrue(
        () -> {
          JsonNode checks = get("/health").path("checks");
          for (int i = 0; i < count; i++) {
            if (!checks.has("BENCH_CHECK_" + i)) {
              return false;
            }
          }
          return true;
        },
        "checks raised");
    for (int i = 0; i < count; i++) {
      ObjectNode body =
          EventCodec.MAPPER.createObjectNode().put("check", "BENCH_CHECK_" + i).put("sticky", true);
      call("POST", "health/mute", body, 202);
    }
  }

  private java.util.Map<String, String> security() {
    return io.valentia.eventbus.security.KafkaClientSecurity.resolve(
        null, data, io.valentia.eventbus.security.KafkaRole.ADMIN);
  }

  /** Writes each check's state, as a probe's publisher does beside its health.changed event. */
  private void raise(List<CloudEvent> changes) throws Exception {
    try (StateTable<RaisedCheck> table =
        StateTable.open(
            KafkaSettings.local(bootstrap).withClientProperties(security()),
            Topics.STATE_HEALTH,
            RaisedCheck.class)) {
      table.restored().get(60, TimeUnit.SECONDS);
      for (CloudEvent event : changes) {
        HealthChanged change = EventCodec.MAPPER.treeToValue(event.data(), HealthChanged.class);
        table
            .put(
                RaisedCheck.key(change.check(), event.source()),
                RaisedCheck.after(null, event.source(), change, Instant.now()))
            .get(60, TimeUnit.SECONDS);
      }
    }
  }

  private void publish(List<CloudEvent> events) throws Exception {
    Properties props = new Properties();
    props.putAll(security());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (CloudEvent event : events) {
        codec.validateData(event);
        producer.send(
            new ProducerRecord<>(
                Topics.EVENTS,
                event.subject().getBytes(StandardCharsets.UTF_8),
                codec.encode(event)));
      }
      producer.flush();
    }
  }

  /** How many events the events index finds (all of them). */
  long searchable() throws IOException {
    return call("GET", "events/search?q=*:*&size=1", null, 200).path("total").asLong();
  }

  /**
   * {@link #searchable()} once it has stopped growing: the same answer twice, a second apart, and
   * again after the index's commit interval (5 s) has passed.
   */
  long searchableWhenSettled() throws IOException, InterruptedException {
    long last = -1;
    int same = 0;
    while (same < 5) {
      Thread.sleep(1_000);
      long now = searchable();
      same = now == last ? same + 1 : 0;
      last = now;
    }
    return last;
  }

  JsonNode get(String path) throws IOException {
    return send(HttpRequest.newBuilder(api.resolve(path)).GET(), 200, path);
  }

  private JsonNode call(String method, String path, JsonNode body, int expected)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(api.resolve(path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(
                        EventCodec.MAPPER.writeValueAsBytes(body)));
    return send(request, expected, method + " " + path);
  }

  private JsonNode send(HttpRequest.Builder request, int expected, String what) throws IOException {
    try {
      HttpResponse<byte[]> answer =
          http.send(
              request.timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (answer.statusCode() / 100 != expected / 100) {
        throw new IOException(
            what
                + " answered "
                + answer.statusCode()
                + ": "
                + new String(answer.body(), StandardCharsets.UTF_8));
      }
      return EventCodec.MAPPER.readTree(answer.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** A condition that may fail with an I/O error (then it counts as not yet true). */
  interface Probe {
    boolean holds() throws IOException;
  }

  static void awaitTrue(Probe probe, String what) throws InterruptedException {
    awaitTrue(probe, what, Duration.ofMinutes(5));
  }

  static void awaitTrue(Probe probe, String what, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    BooleanSupplier holds =
        () -> {
          try {
            return probe.holds();
          } catch (IOException e) {
            return false;
          }
        };
    while (!holds.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for: " + what);
      }
      Thread.sleep(200);
    }
  }
}
