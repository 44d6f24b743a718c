package io.valentia.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * It is over 400 lines because a trial is one protocol best read top to bottom: the four activities
 * that record what was acknowledged, the SIGKILL and the restart, then the reading-back that counts
 * each activity's acknowledgements as found, lost or duplicated. The acknowledgement side ({@code
 * Acks}, the four workers) and the counting side ({@code Found}) only make sense side by side, and
 * the HTTP and process plumbing below them serves these trials only.
 *
 * <p>Crash-safety trials: the whole platform ({@code valentia up}, every role and the embedded
 * broker) in a child process on one data directory, killed with SIGKILL at a random moment while
 * four activities run at once, then started again on the same data. Each trial then counts, for
 * what the platform acknowledged before it died:
 *
 * <ul>
 *   <li><b>ingestion</b>: events accepted by {@code POST /api/v1/events} (202) against the records
 *       on {@code valentia.events} and the documents of the events index;
 *   <li><b>incident opening</b>: MTU-mismatch events (each on a subject of its own) against the
 *       incidents in the incidents table and the {@code incident.opened} events;
 *   <li><b>postmortem writing</b>: revisions answered 200 against the postmortem's revision list
 *       (gap-free, each number once);
 *   <li><b>notification delivery</b>: health changes (one check each) against what a real HTTP
 *       receiver got, told apart by the {@code X-Valentia-Notification-Id} header.
 * </ul>
 *
 * <p>Lost: acknowledged and not found after the restart. Duplicated: found more than once (an event
 * id twice on the log or in the index, two incidents or two {@code incident.opened} events for one
 * subject, one revision number twice, two different notifications for one check). A notification
 * delivered again under the same id (the receiver answered, the process died before it recorded the
 * answer) is at-least-once delivery as documented, counted apart as redelivered. What was in flight
 * at the kill (no answer) is neither. Not thread-safe; one instance per run.
 */
public final class CrashTrials implements AutoCloseable {
  private static final Pattern UP =
      Pattern.compile("Valentia is up in (\\d+) ms: Kafka (\\S+) .*http://[^:]+:(\\d+)");
  private static final int SIGKILL_EXIT = 128 + 9;
  private static final String BATCH = "application/cloudevents-batch+json";

  /**
   * How to start the platform.
   *
   * @param command the JVM command up to and including the main class or {@code -jar JAR} (the
   *     {@code up ...} arguments are added)
   * @param dir the run's directory: data in {@code dir/data}, the log in {@code dir/platform.log}
   * @param token the admin token
   */
  public record Launch(List<String> command, Path dir, String token) {}

  /**
   * One activity's count in one trial.
   *
   * @param acknowledged what the platform acknowledged before the kill
   * @param found what was found of it after the restart
   * @param lost acknowledged and not found
   * @param duplicated found more than once
   */
  public record Count(long acknowledged, long found, long lost, long duplicated) {
    Count plus(Count o) {
      return new Count(
          acknowledged + o.acknowledged, found + o.found, lost + o.lost, duplicated + o.duplicated);
    }
  }

  /**
   * One trial.
   *
   * @param killAfterMillis when the kill came, from the start of the activities
   * @param restartMillis from the restart to "Valentia is up"
   * @param counts per thing counted: {@code kafka records}, {@code index documents}, {@code
   *     incidents}, {@code revisions}, {@code notifications}
   * @param redelivered notifications delivered again under the same id
   * @param load the 1-minute load average at the kill
   * @param refusals per activity, the first refusal it got (an answer other than 2xx), if any
   */
  public record Trial(
      int number,
      long killAfterMillis,
      long restartMillis,
      Map<String, Count> counts,
      long redelivered,
      double load,
      Map<String, String> refusals) {
    public long lost() {
      return counts.values().stream().mapToLong(Count::lost).sum();
    }

    public long duplicated() {
      return counts.values().stream().mapToLong(Count::duplicated).sum();
    }

    /** Events acknowledged (ingested, incident triggers, health changes) and revisions written. */
    public long events() {
      return counts.get(KAFKA).acknowledged() + counts.get(REVISIONS).acknowledged();
    }
  }

  public static final String KAFKA = "kafka records";
  public static final String INDEX = "index documents";
  public static final String INCIDENTS = "incidents";
  public static final String REVISIONS = "revisions";
  public static final String NOTIFICATIONS = "notifications";

  private final Launch launch;
  private final Random random;
  private final String run;
  private final Duration settle;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final EventCodec codec = EventCodec.instance();
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer receiver;
  private final Map<String, List<String>> delivered = new ConcurrentHashMap<>();
  private Process platform;
  private String bootstrap;
  private URI api;
  private long logOffset;

  /**
   * Starts the receiver and the platform.
   *
   * @param settle how long to wait after the restart for everything acknowledged to show up
   */
  public CrashTrials(Launch launch, long seed, Duration settle) throws Exception {
    this.launch = launch;
    this.random = new Random(seed);
    this.run = "crash" + Long.toString(Math.abs(seed) % 1_000_000, 36);
    this.settle = settle;
    this.receiver =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onComplete(
                            body -> {
                              try {
                                String check =
                                    EventCodec.MAPPER
                                        .readTree(body.result().toString())
                                        .path("groupLabels")
                                        .path("check")
                                        .asText();
                                delivered
                                    .computeIfAbsent(check, k -> new CopyOnWriteArrayList<>())
                                    .add(request.getHeader("X-Valentia-Notification-Id"));
                                request.response().setStatusCode(200).end("ok");
                              } catch (Exception e) {
                                request.response().setStatusCode(400).end();
                              }
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Files.createDirectories(launch.dir());
    Files.writeString(
        config(),
        String.join(
            "\n",
            "notifications:",
            "  route:",
            "    receiver: crash-receiver",
            "    group_by: [check]",
            "    group_wait: 1s",
            "    group_interval: 2s",
            "  receivers:",
            "    - name: crash-receiver",
            "      webhook_configs: [{url: 'http://127.0.0.1:" + receiver.actualPort() + "/hook'}]",
            "  delivery:",
            "    initial_backoff: 200ms",
            "    max_backoff: 1s",
            ""));
    try {
      restart();
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  private Path config() {
    return launch.dir().resolve("valentia.yaml");
  }

  private Path log() {
    return launch.dir().resolve("platform.log");
  }

  /** Starts the platform on the run's data directory; returns how long until it was up (ms). */
  private long start() throws Exception {
    List<String> command = new ArrayList<>(launch.command());
    command.addAll(
        List.of(
            "up",
            "--data",
            launch.dir().resolve("data").toString(),
            "--kafka-port",
            "0",
            "--http-port",
            "0",
            "--http-host",
            "127.0.0.1",
            "--config",
            config().toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    builder.environment().put("VALENTIA_ADMIN_TOKEN", launch.token());
    logOffset = Files.exists(log()) ? Files.size(log()) : 0;
    long started = System.nanoTime();
    platform = builder.start();
    Process child = platform;
    Runtime.getRuntime().addShutdownHook(new Thread(child::destroyForcibly, "crash-reaper"));
    long deadline = started + TimeUnit.MINUTES.toNanos(5);
    while (true) {
      Matcher up = UP.matcher(ownLog());
      if (up.find()) {
        bootstrap = up.group(2);
        api = URI.create("http://127.0.0.1:" + up.group(3) + "/api/v1/");
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      }
      if (!platform.isAlive() || System.nanoTime() > deadline) {
        String how =
            platform.isAlive()
                ? "was not up after 5 min"
                : "exited with " + platform.exitValue() + " before it was up";
        platform.destroyForcibly().waitFor();
        throw new IllegalStateException(
            "the platform "
                + how
                + "; the last thing it reported: "
                + lastReport(ownLog())
                + " (its log: "
                + log()
                + ")");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Starts the platform again after a kill; a start that fails (the process ends: a role did not
   * start in time) is counted in {@link #failedStarts()} and tried again, up to three times, as a
   * supervisor would.
   */
  private long restart() throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return start();
      } catch (IllegalStateException failed) {
        failedStarts++;
        System.err.println(
            "a restart failed (" + failedStarts + " so far): " + failed.getMessage());
        if (attempt == 3) {
          throw failed;
        }
      }
    }
  }

  private int failedStarts;

  /** Starts after a kill that ended with the process exiting instead of coming up. */
  public int failedStarts() {
    return failedStarts;
  }

  /**
   * The last exception, or failing that the last error or warning, of a start's log, on one line (a
   * failed start's cause, for a report that shows one line).
   */
  static String lastReport(String log) {
    String exception = null;
    String error = null;
    String warning = null;
    for (String line : log.split("\n")) {
      if (EXCEPTION.matcher(line).find() && !line.contains("Thread blocked")) {
        exception = line;
      } else if (line.contains(" ERROR ")) {
        error = line;
      } else if (line.contains(" WARN ")) {
        warning = line;
      }
    }
    String last =
        exception != null
            ? exception
            : error != null ? error : warning != null ? warning : "nothing";
    return last.length() > 400 ? last.substring(0, 400) + "..." : last;
  }

  private static final Pattern EXCEPTION =
      Pattern.compile("^([a-z]\\w*\\.)+\\w*(Exception|Error)\\b");

  private String ownLog() throws IOException {
    byte[] all = Files.readAllBytes(log());
    int from = (int) Math.min(logOffset, all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  /**
   * Runs one trial: the four activities, a SIGKILL after a random time between {@code minKill} and
   * {@code maxKill}, a restart, and the counts once everything acknowledged has shown up (or {@code
   * settle} has passed).
   */
  public Trial trial(int number, Duration minKill, Duration maxKill) throws Exception {
    return trial(number, minKill, maxKill, false);
  }

  /**
   * As {@link #trial(int, Duration, Duration)}; with {@code afterFirstAnswers} the kill's time is
   * counted from the moment each of the four activities had its first acknowledgement (at most a
   * minute), so that every trial kills all four in the middle of their work, however slow the
   * machine.
   */
  public Trial trial(int number, Duration minKill, Duration maxKill, boolean afterFirstAnswers)
      throws Exception {
    String tag = run + "t" + number;
    Acks acks = new Acks();
    String postmortem = tag + "-pm";
    JsonNode created =
        call("POST", "postmortems/", json().put("id", postmortem).put("note", "crash trial"));
    revision = created.path("revision").asInt(1);
    acks.revisions.add(revision);
    refusals.clear();

    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> workers =
        List.of(
            worker("ingest", running, () -> ingest(tag, acks)),
            worker("incidents", running, () -> openIncident(tag, acks)),
            worker("postmortem", running, () -> revise(postmortem, acks)),
            worker("notify", running, () -> raiseCheck(tag, acks)));
    long begun = System.nanoTime();
    workers.forEach(Thread::start);
    long killAfter =
        minKill.toMillis() + (long) (random.nextDouble() * maxKill.minus(minKill).toMillis());
    if (afterFirstAnswers) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (System.nanoTime() < deadline
          && (acks.batches.get() == 0
              || acks.incidentSubjects.isEmpty()
              || acks.revisions.size() < 2
              || acks.checks.isEmpty())) {
        Thread.sleep(50);
      }
    }
    Thread.sleep(killAfter);
    double load = loadAverage();
    platform.destroyForcibly(); // SIGKILL: no shutdown hook runs
    if (!platform.waitFor(60, TimeUnit.SECONDS) || platform.exitValue() != SIGKILL_EXIT) {
      throw new IllegalStateException("the platform did not die of SIGKILL");
    }
    long killedAt = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun);
    running.set(false);
    for (Thread worker : workers) {
      worker.join(60_000);
    }
    long restart = restart();

    Found found = new Found();
    long deadline = System.nanoTime() + settle.toNanos();
    while (true) {
      found.read(tag, postmortem);
      if (found.complete(acks) || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(1_000);
    }
    // late duplicates (a second delivery, a second incident) would come now
    Thread.sleep(3_000);
    found.read(tag, postmortem);
    return new Trial(
        number,
        killedAt,
        restart,
        found.counts(acks),
        found.redelivered,
        load,
        Map.copyOf(refusals));
  }

  /** What the platform acknowledged in a trial. */
  private static final class Acks {
    final Set<String> events = ConcurrentHashMap.newKeySet();
    final Set<String> incidentSubjects = ConcurrentHashMap.newKeySet();
    final Set<Integer> revisions = ConcurrentHashMap.newKeySet();
    final Set<String> checks = ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicInteger batches =
        new java.util.concurrent.atomic.AtomicInteger();
  }

  /** What the restarted platform holds of a trial. */
  private final class Found {
    final Map<String, Integer> records = new HashMap<>();
    final Map<String, Integer> opened = new HashMap<>();
    final Map<String, Integer> incidents = new HashMap<>();
    final List<Integer> revisions = new ArrayList<>();
    final Map<String, Set<String>> notifications = new HashMap<>();
    long indexed = -1;
    long redelivered;

    void read(String tag, String postmortem) throws Exception {
      records.clear();
      opened.clear();
      readLog(tag, records, opened);
      incidents.clear();
      try {
        for (JsonNode incident : call("GET", "incidents/", null).path("incidents")) {
          for (JsonNode subject : incident.path("subjects")) {
            if (subject.asText().startsWith(tag + "-")) {
              incidents.merge(subject.asText(), 1, Integer::sum);
            }
          }
        }
        revisions.clear();
        call("GET", "postmortems/" + postmortem + "/revisions", null)
            .path("revisions")
            .forEach(r -> revisions.add(r.path("revision").asInt()));
        indexed =
            call(
                    "GET",
                    "events/search?size=1&q="
                        + URLEncoder.encode("service:" + tag, StandardCharsets.UTF_8),
                    null)
                .path("total")
                .asLong();
      } catch (IOException notYet) {
        // the restarted platform is still opening a part; read again
      }
      notifications.clear();
      redelivered = 0;
      delivered.forEach(
          (check, ids) -> {
            if (check.startsWith(tag.toUpperCase(Locale.ROOT) + "_")) {
              notifications.put(check, new HashSet<>(ids));
              redelivered += ids.size() - new HashSet<>(ids).size();
            }
          });
    }

    boolean complete(Acks acks) {
      return records.keySet().containsAll(acks.events)
          && indexed >= records.size()
          && incidents.keySet().containsAll(acks.incidentSubjects)
          && revisions.containsAll(acks.revisions)
          && notifications.keySet().containsAll(acks.checks);
    }

    Map<String, Count> counts(Acks acks) {
      Map<String, Count> out = new TreeMap<>();
      out.put(
          KAFKA,
          new Count(
              acks.events.size(),
              records.size(),
              acks.events.stream().filter(id -> !records.containsKey(id)).count(),
              records.values().stream().filter(n -> n > 1).count()));
      out.put(
          INDEX,
          new Count(
              records.size(),
              Math.max(indexed, 0),
              Math.max(0, records.size() - Math.max(indexed, 0)),
              Math.max(0, indexed - records.size())));
      long twiceOpened = opened.values().stream().filter(n -> n > 1).count();
      out.put(
          INCIDENTS,
          new Count(
              acks.incidentSubjects.size(),
              incidents.size(),
              acks.incidentSubjects.stream().filter(s -> !incidents.containsKey(s)).count(),
              incidents.values().stream().filter(n -> n > 1).count() + twiceOpened));
      Set<Integer> distinct = new HashSet<>(revisions);
      int highest = revisions.stream().mapToInt(Integer::intValue).max().orElse(0);
      long gaps = highest - distinct.size();
      out.put(
          REVISIONS,
          new Count(
              acks.revisions.size(),
              revisions.size(),
              acks.revisions.stream().filter(r -> !distinct.contains(r)).count() + gaps,
              revisions.size() - distinct.size()));
      out.put(
          NOTIFICATIONS,
          new Count(
              acks.checks.size(),
              notifications.size(),
              acks.checks.stream().filter(c -> !notifications.containsKey(c)).count(),
              notifications.values().stream().filter(ids -> ids.size() > 1).count()));
      return out;
    }
  }

  /**
   * The records of a trial on {@code valentia.events} (read committed), by event id, and the {@code
   * incident.opened} events by the subject whose incident they open.
   */
  private void readLog(String tag, Map<String, Integer> records, Map<String, Integer> opened) {
    Properties props = new Properties();
    // the platform's embedded broker: signed in with the credentials of its data directory
    props.putAll(
        io.valentia.eventbus.security.KafkaClientSecurity.resolve(
            null, launch.dir().resolve("data"), io.valentia.eventbus.security.KafkaRole.ADMIN));
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    String source = "/" + tag + "/";
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read valentia.events to its end");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          JsonNode event;
          try {
            event = EventCodec.MAPPER.readTree(record.value());
          } catch (IOException notAnEvent) {
            continue;
          }
          if (event.path("source").asText().startsWith(source)) {
            records.merge(event.path("id").asText(), 1, Integer::sum);
          } else if (event.path("type").asText().equals(EventType.INCIDENT_OPENED.type())
              && event.path("subject").asText().startsWith(tag + "-")) {
            opened.merge(event.path("subject").asText(), 1, Integer::sum);
          }
        }
      }
    }
  }

  // ---- the four activities; each returns normally when the platform answered, and throws when
  // it did not (then the worker stops: the platform is dead) ----

  private int ingested;

  /** A batch of 20 ordinary probe events. */
  private void ingest(String tag, Acks acks) throws IOException {
    List<CloudEvent> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = ingested++;
      batch.add(
          event(
              new MtuPing(
                  "10.0.9." + (n % 250) + ":7347", 8972, true, 300L + n % 400, "both", "udp"),
              "/" + tag + "/ingest",
              tag + "-host-" + (n % 16),
              Severity.INFO));
    }
    post(batch);
    batch.forEach(e -> acks.events.add(e.id()));
    acks.batches.incrementAndGet();
  }

  private int mismatches;

  /** An MTU mismatch on a subject of its own: opens one incident. */
  private void openIncident(String tag, Acks acks) throws IOException, InterruptedException {
    String subject = tag + "-osd-" + mismatches++ + "->osd-9";
    CloudEvent event =
        event(
            new MtuMismatch("10.0.9.9:7347", 1472, 8972, 1500, "out"),
            "/" + tag + "/mtu",
            subject,
            Severity.CRITICAL);
    post(List.of(event));
    acks.events.add(event.id());
    acks.incidentSubjects.add(subject);
    Thread.sleep(50);
  }

  private int revision = 1;

  /** The next revision of the trial's postmortem. */
  private void revise(String postmortem, Acks acks) throws IOException {
    ObjectNode body = json().put("expectedRevision", revision).put("note", "crash trial");
    body.putObject("sections").put("summary", "revision " + (revision + 1));
    JsonNode answer = call("PUT", "postmortems/" + postmortem, body);
    revision = answer.path("revision").asInt();
    acks.revisions.add(revision);
  }

  private int checks;

  /** A health check raised: one notification to the receiver. */
  private void raiseCheck(String tag, Acks acks) throws IOException, InterruptedException {
    String check = tag.toUpperCase(Locale.ROOT) + "_" + checks++;
    CloudEvent event =
        event(
            new HealthChanged(check, "HEALTH_WARN", "crash trial", List.of("raised"), 1),
            "/" + tag + "/ceph",
            check,
            Severity.WARNING);
    post(List.of(event));
    acks.events.add(event.id());
    acks.checks.add(check);
    Thread.sleep(100);
  }

  private interface Step {
    void run() throws Exception;
  }

  /** Per activity, the first answer that was a refusal rather than no answer (for the report). */
  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  private Thread worker(String name, AtomicBoolean running, Step step) {
    return new Thread(
        () -> {
          while (running.get()) {
            try {
              step.run();
            } catch (Exception deadOrRefused) {
              // no answer: in flight at the kill, neither acknowledged nor expected
              if (deadOrRefused instanceof Refused) {
                refusals.putIfAbsent(name, deadOrRefused.getMessage());
              }
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                return;
              }
            }
          }
        },
        "crash-" + name);
  }

  /** The platform answered, with a refusal. */
  private static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }

  private static CloudEvent event(
      EventPayload payload, String source, String subject, Severity severity) {
    return CloudEvent.of(payload).source(source).subject(subject).severity(severity).build();
  }

  private void post(List<CloudEvent> events) throws IOException {
    ArrayNode body = EventCodec.MAPPER.createArrayNode();
    events.forEach(e -> body.add(codec.toJson(e)));
    HttpResponse<String> answer =
        send(
            HttpRequest.newBuilder(api.resolve("events"))
                .header("Content-Type", BATCH)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    if (answer.statusCode() != 202) {
      throw new Refused("events answered " + answer.statusCode() + ": " + answer.body());
    }
  }

  private static ObjectNode json() {
    return EventCodec.MAPPER.createObjectNode();
  }

  private JsonNode call(String method, String path, JsonNode body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(api.resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> answer = send(request);
    if (answer.statusCode() / 100 != 2) {
      throw new Refused(
          method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
    }
    return EventCodec.MAPPER.readTree(answer.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    // the request timeout ends the wait for the headers only: a body that never comes would
    // block send() for good
    var answer =
        http.sendAsync(
            request
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + launch.token())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    try {
      return answer.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      answer.cancel(true);
      throw new IOException("no complete answer within 60 s", e);
    }
  }

  /** The 1-minute load average, or -1 where /proc/loadavg is not there. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Stops the platform (SIGTERM) and the receiver. */
  @Override
  public void close() throws Exception {
    if (platform != null && platform.isAlive()) {
      platform.destroy();
      if (!platform.waitFor(60, TimeUnit.SECONDS)) {
        platform.destroyForcibly().waitFor();
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
