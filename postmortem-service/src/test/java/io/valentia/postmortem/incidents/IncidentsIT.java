package io.valentia.postmortem.incidents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.IncidentOpened;
import io.valentia.eventbus.payload.IncidentUpdated;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Incident detection on the shared Kafka: restart, migration, and two processes sharing it. */
class IncidentsIT {
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private KafkaSettings kafka;
  private KafkaProducer<byte[], byte[]> producer;
  private Path dir;

  record Context(
      Vertx vertx,
      KafkaSettings kafka,
      KafkaEventPublisher publisher,
      Path dataDir,
      JsonNode config,
      Map<String, String> environment,
      HealthRegistry health,
      StateTables stateTables,
      ApiRoutes api,
      PrintStream console)
      implements ServiceContext {}

  /** Health as a map of raised checks. */
  static final class RaisedChecks implements HealthRegistry {
    final Map<String, HealthCheck> raised = new ConcurrentHashMap<>();

    @Override
    public void service(String name, ServiceStatus status) {}

    @Override
    public void raise(String name, HealthCheck check) {
      raised.put(name, check);
    }

    @Override
    public void clear(String name) {
      raised.remove(name);
    }

    @Override
    public Future<HealthReport> report() {
      return Future.failedFuture("not used");
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    kafka = KafkaTestSupport.settings();
    producer = KafkaTestSupport.rawProducer();
    dir = Files.createTempDirectory("incidents-it");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    producer.close();
    KafkaTestSupport.deleteRecursively(dir);
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    closing.add(closeable);
    return closeable;
  }

  private void publish(CloudEvent event) throws Exception {
    publish(Topics.keyOf(event), event);
  }

  private void publish(String key, CloudEvent event) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                Topics.EVENTS,
                key.getBytes(StandardCharsets.UTF_8),
                EventCodec.instance().encode(event)))
        .get(30, TimeUnit.SECONDS);
  }

  private static CloudEvent frames(String subject) {
    return CloudEvent.of(new FrameDropped(90, 4, 100, 103, 9_000, "loop"))
        .source("/probes/frames/it")
        .subject(subject)
        .build();
  }

  private static CloudEvent mismatch(String subject) {
    return CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
        .source("/probes/mtu/it")
        .subject(subject)
        .build();
  }

  private StateTable<IncidentState> table(StateTables tables) {
    StateTable<IncidentState> table = tables.open(Topics.STATE_INCIDENTS, IncidentState.class);
    StateMigration.await(table.restored(), "read the incidents");
    return table;
  }

  private static List<IncidentState> incidentsOf(StateTable<IncidentState> table, String subject) {
    return table.snapshot().values().stream().filter(i -> i.subjects().contains(subject)).toList();
  }

  /** The incident events committed on valentia.events from {@code from} (null: the beginning). */
  private List<CloudEvent> incidentEvents(Map<Integer, Long> from) {
    List<CloudEvent> out = new ArrayList<>();
    try (TopicReader reader =
        TopicReader.open(
            kafka, "incidents-it", Topics.EVENTS, Map.of("isolation.level", "read_committed"))) {
      if (from == null) {
        reader.seekToBeginning();
      } else {
        reader.seek(from);
      }
      reader.readToEnd(
          r -> {
            String type = EventCodec.peekType(r.value());
            return type != null && type.startsWith("io.valentia.incident.");
          },
          (LogRecord r) -> out.add(EventCodec.instance().decode(r.value())),
          null,
          Duration.ofSeconds(60));
    }
    return out;
  }

  private Map<Integer, Long> endOfEvents() {
    try (TopicReader reader = TopicReader.open(kafka, "incidents-it", Topics.EVENTS)) {
      return reader.endOffsets();
    }
  }

  private static List<String> evidenceOf(CloudEvent incidentEvent) {
    List<String> ids = new ArrayList<>();
    incidentEvent.data().path("evidence").forEach(e -> ids.add(e.asText()));
    incidentEvent.data().path("addedEvidence").forEach(e -> ids.add(e.asText()));
    return ids;
  }

  private IncidentStreams detection(String applicationId, String name, StateTable<IncidentState> t)
      throws Exception {
    IncidentStreams streams =
        IncidentStreams.start(
            kafka,
            new IncidentStreams.Settings(
                applicationId, dir.resolve(name), DetectionProcess.QUICK_TAKEOVER),
            DetectionRules.DEFAULT,
            () -> t.snapshot().values(),
            null);
    streams.running().get(3, TimeUnit.MINUTES);
    return streams;
  }

  /**
   * Publishes a mismatch on {@code subject} until detection (which starts at the end) opens one.
   */
  private IncidentState firstIncident(StateTable<IncidentState> table, String subject) {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              publish(mismatch(subject));
              return !incidentsOf(table, subject).isEmpty();
            });
    return incidentsOf(table, subject).get(0);
  }

  @Test
  @DisplayName(
      "A new application's positions are pinned at the end of valentia.events before it starts, so"
          + " an event that arrives while it is down (killed before its first commit) still opens"
          + " an incident when it comes back")
  void positionsArePinnedBeforeTheFirstStart() throws Exception {
    String app = "valentia-incidents-pinned-" + UUID.randomUUID();
    String subject = "osd-pinned-" + UUID.randomUUID() + "->osd-7";
    // what the first start does before anything else; the process then dies before it commits
    IncidentStreams.pinUncommitted(kafka, app);
    try (Admin admin = Admin.create(kafka.commonClientProperties("incidents-it"))) {
      assertThat(
              admin
                  .listConsumerGroupOffsets(app)
                  .partitionsToOffsetAndMetadata()
                  .get(30, TimeUnit.SECONDS)
                  .keySet())
          .extracting(TopicPartition::topic)
          .containsOnly(Topics.EVENTS)
          .hasSize(
              admin
                  .describeTopics(List.of(Topics.EVENTS))
                  .allTopicNames()
                  .get(30, TimeUnit.SECONDS)
                  .get(Topics.EVENTS)
                  .partitions()
                  .size());
    }
    // while it is down
    publish(mismatch(subject));

    StateTables tables = closeLater(new StateTables(kafka));
    StateTable<IncidentState> table = table(tables);
    closeLater(detection(app, "pinned", table));
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(() -> assertThat(incidentsOf(table, subject)).hasSize(1));
  }

  @Test
  @DisplayName(
      "An instance restarted on its state directory after a clean stop keeps its persistent stores, even when a burst window has never held an event, and rebuilds only the in-memory burst windows")
  void cleanRestartKeepsItsStores() throws Exception {
    String app = "valentia-incidents-clean-restart-" + UUID.randomUUID();
    String subject = "loop-restart-" + UUID.randomUUID();
    StateTables tables = closeLater(new StateTables(kafka));
    StateTable<IncidentState> table = table(tables);
    IncidentStreams first = detection(app, "clean-restart", table);
    closeLater(first::close);
    // a frame-drop burst: the frame window and the burst marks get records, the KILL-denial
    // window none (a persistent window store without a segment had nowhere to keep its offset)
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              for (int i = 0; i < DetectionRules.DEFAULT.frameBursts(); i++) {
                publish(frames(subject));
              }
              return !incidentsOf(table, subject).isEmpty();
            });
    first.close();

    IncidentStreams second = detection(app, "clean-restart", table);
    closeLater(second::close);
    assertThat(second.restoredRecords())
        .as("the burst windows are rebuilt from their changelog")
        .hasEntrySatisfying(
            IncidentTopology.FRAME_BURSTS, restored -> assertThat(restored).isPositive());
    assertThat(second.restoredRecords())
        .as("the persistent stores kept their state and their offsets")
        .doesNotContainKeys(BurstGate.STORE, IncidentProcessor.INCIDENTS);
  }

  @Test
  @DisplayName(
      "A restarted instance with an empty state directory restores its incidents from the state topic and the changelogs, correlates into them, and does not read valentia.events again")
  void restartRestoresWithoutReplay() throws Exception {
    String app = "valentia-incidents-restart-" + UUID.randomUUID();
    String subject = "osd-restart-" + UUID.randomUUID() + "->osd-7";
    StateTables firstTables = new StateTables(kafka);
    StateTable<IncidentState> firstTable = table(firstTables);
    IncidentStreams first = detection(app, "first", firstTable);
    String id = firstIncident(firstTable, subject).id();
    CloudEvent joined = mismatch(subject);
    publish(joined);
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> firstTable.get(id).orElseThrow().evidence().contains(joined.id()));
    first.close();
    firstTables.close();
    Map<Integer, Long> restartedAt = endOfEvents();

    StateTables tables = closeLater(new StateTables(kafka));
    StateTable<IncidentState> table = table(tables);
    assertThat(table.get(id))
        .as("the table restores from the state topic")
        .hasValueSatisfying(
            i -> {
              assertThat(i.status()).isEqualTo("open");
              assertThat(i.evidence()).contains(joined.id());
            });
    IncidentStreams second = closeLater(detection(app, "second", table));
    assertThat(second.activePartitions()).hasSize(7);
    CloudEvent after = mismatch(subject);
    publish(after);
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> table.get(id).orElseThrow().evidence().contains(after.id()));

    List<CloudEvent> written = incidentEvents(restartedAt);
    assertThat(written)
        .as("after the restart, only the new event caused incident events")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(evidenceOf(e)).containsOnly(after.id()));
    assertThat(written)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.INCIDENT_UPDATED.type());
              assertThat(e.incidentId()).as("correlated into the restored incident").isEqualTo(id);
            });
  }

  @Test
  @DisplayName(
      "On the first start after an upgrade the table is built once from the incident events of the old log; detection knows the migrated incident, and a status move over HTTP is applied once and resolves it")
  void migrationThenLifecycleOverHttp() throws Exception {
    String id = "inc-old-" + UUID.randomUUID();
    String subject = "osd-old-" + UUID.randomUUID() + "->osd-7";
    Instant opened = Instant.now().minusSeconds(60);
    publish(
        CloudEvent.of(
                new IncidentOpened(
                    "MTU mismatch on " + subject, "SEV2", "mtu-mismatch", List.of("ev-old-1")))
            .source(IncidentDetector.SOURCE)
            .subject(subject)
            .incidentId(id)
            .time(opened)
            .build());
    publish(
        CloudEvent.of(new IncidentUpdated("mitigated", "SEV2", "MTU mismatch", List.of(), "dana"))
            .source(IncidentDetector.SOURCE)
            .incidentId(id)
            .time(opened.plusSeconds(10))
            .build());
    StateTables tables = closeLater(new StateTables(kafka));
    // as on the first start of this release: the table was never built
    StateMigration.await(
        tables
            .open(Topics.STATE_MIGRATIONS, StateMigration.Migrated.class)
            .remove(Topics.STATE_INCIDENTS),
        "forget the migration");
    Vertx vertx = Vertx.vertx();
    closeLater(
        () -> vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    RaisedChecks health = new RaisedChecks();
    Context context =
        new Context(
            vertx,
            kafka,
            closeLater(new KafkaEventPublisher(vertx, kafka, "incidents-it")),
            dir.resolve("postmortem"),
            EventCodec.MAPPER.createObjectNode(),
            Map.of(),
            health,
            tables,
            new ApiRoutes(),
            System.out);
    IncidentVerticle incidents =
        new IncidentVerticle(
            context,
            DetectionRules.DEFAULT,
            new IncidentStreams.Settings(
                "valentia-incidents-migration-" + UUID.randomUUID(),
                dir.resolve("streams"),
                DetectionProcess.QUICK_TAKEOVER));
    vertx
        .deployVerticle(incidents)
        .toCompletionStage()
        .toCompletableFuture()
        .get(3, TimeUnit.MINUTES);

    StateTable<IncidentState> table = tables.open(Topics.STATE_INCIDENTS, IncidentState.class);
    assertThat(new StateMigration(tables, line -> {}).done(Topics.STATE_INCIDENTS)).isTrue();
    assertThat(table.get(id))
        .as("folded from the old log")
        .hasValueSatisfying(
            i -> {
              assertThat(i.status()).isEqualTo("mitigated");
              assertThat(i.subjects()).containsExactly(subject);
              assertThat(i.evidence()).containsExactly("ev-old-1");
            });
    assertThat(health.raised).doesNotContainKey(IncidentStreams.HEALTH_CHECK);

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              publish(mismatch(subject));
              return table.get(id).orElseThrow().evidence().size() > 1;
            });
    assertThat(incidentsOf(table, subject))
        .as("the mismatch joined the migrated incident instead of opening another")
        .extracting(IncidentState::id)
        .containsExactly(id);

    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(root(vertx, incidents.router()))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    HttpResponse<String> resolved =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + server.actualPort()
                                + "/incidents/"
                                + id
                                + "/status"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"status\":\"resolved\",\"by\":\"erin\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
    assertThat(EventCodec.MAPPER.readTree(resolved.body()).path("status").asText())
        .isEqualTo("resolved");
    assertThat(
            incidents
                .describe(id)
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .getString("status"))
        .isEqualTo("resolved");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        incidentEvents(null).stream()
                            .filter(e -> id.equals(e.incidentId()))
                            .filter(e -> e.type().equals(EventType.INCIDENT_RESOLVED.type())))
                    .singleElement()
                    .satisfies(e -> assertThat(e.data().path("by").asText()).isEqualTo("erin")));
  }

  private static Router root(Vertx vertx, Router incidents) {
    Router root = Router.router(vertx);
    root.route("/incidents*").subRouter(incidents);
    return root;
  }

  /** A child JVM running detection, and what it last said. */
  private record Child(
      Process process, AtomicReference<String> state, AtomicReference<String> tasks) {
    Set<String> owned() {
      String t = tasks.get();
      return t.isEmpty() ? Set.of() : Set.of(t.split(","));
    }
  }

  private Child startChild(String applicationId, String name) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                classpath,
                DetectionProcess.class.getName(),
                KafkaTestSupport.bootstrapServers(),
                applicationId,
                dir.resolve(name).toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(process);
    Child child = new Child(process, new AtomicReference<>(""), new AtomicReference<>(""));
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  if (line.startsWith("state ")) {
                    child.state().set(line.substring(6));
                  } else if (line.startsWith("tasks ")) {
                    child.tasks().set(line.substring(6));
                  }
                }
              } catch (java.io.IOException e) {
                // the process died
              }
            },
            "detection-" + name);
    reader.setDaemon(true);
    reader.start();
    return child;
  }

  /** One subject per partition of valentia.events (as the default partitioner places keys). */
  private List<String> subjectsPerPartition(String prefix) {
    int partitions = kafka.partitionsOf(Topics.EVENTS);
    Map<Integer, String> found = new HashMap<>();
    for (int i = 0; found.size() < partitions; i++) {
      String subject = prefix + "-" + i + "->osd-7";
      int partition =
          Utils.toPositive(Utils.murmur2(subject.getBytes(StandardCharsets.UTF_8))) % partitions;
      found.putIfAbsent(partition, subject);
    }
    return new ArrayList<>(found.values());
  }

  @Test
  @DisplayName(
      "Two detection processes split the partitions; when the one running correlation is killed, the other takes every partition within 30 s, and no incident is lost or opened twice")
  void twoProcessesAndAKill() throws Exception {
    String app = "valentia-incidents-pair-" + UUID.randomUUID();
    String signals = app + "-" + IncidentTopology.SIGNALS + "-repartition-0";
    Child a = startChild(app, "a");
    Child b = startChild(app, "b");
    await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> {
              Set<String> all = new HashSet<>(a.owned());
              all.addAll(b.owned());
              return a.state().get().equals("RUNNING")
                  && b.state().get().equals("RUNNING")
                  && !a.owned().isEmpty()
                  && !b.owned().isEmpty()
                  && all.size() == 7
                  && all.contains(signals);
            });
    assertThat(a.owned()).doesNotContainAnyElementsOf(b.owned());

    StateTables tables = closeLater(new StateTables(kafka));
    StateTable<IncidentState> table = table(tables);
    String run = UUID.randomUUID().toString().substring(0, 8);
    // the group started at the end: make sure every partition is being read
    for (String subject : subjectsPerPartition("osd-warm-" + run)) {
      firstIncident(table, subject);
    }

    List<String> before = subjectsPerPartition("osd-before-" + run);
    before.addAll(subjectsPerPartition("osd-before2-" + run));
    List<CloudEvent> opening = new ArrayList<>();
    for (String subject : before) {
      CloudEvent event = mismatch(subject);
      opening.add(event);
      publish(event);
    }
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> before.stream().allMatch(s -> !incidentsOf(table, s).isEmpty()));

    Child victim = a.owned().contains(signals) ? a : b;
    Child survivor = victim == a ? b : a;
    long killed = System.nanoTime();
    victim.process().destroyForcibly();
    List<CloudEvent> joining = new ArrayList<>();
    for (String subject : before) {
      CloudEvent event = mismatch(subject);
      joining.add(event);
      publish(event);
    }
    List<String> after = subjectsPerPartition("osd-after-" + run);
    for (String subject : after) {
      CloudEvent event = mismatch(subject);
      opening.add(event);
      publish(event);
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> survivor.owned().size() == 7 && survivor.state().get().equals("RUNNING"));
    System.out.printf(
        "the survivor ran every task %d ms after the kill%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                after.stream().allMatch(s -> !incidentsOf(table, s).isEmpty())
                    && joining.stream()
                        .allMatch(
                            e ->
                                incidentsOf(table, e.subject()).stream()
                                    .anyMatch(i -> i.evidence().contains(e.id()))));

    for (String subject : before) {
      assertThat(incidentsOf(table, subject)).as(subject).hasSize(1);
    }
    for (String subject : after) {
      assertThat(incidentsOf(table, subject)).as(subject).hasSize(1);
    }
    List<CloudEvent> written = incidentEvents(null);
    for (CloudEvent event : opening) {
      assertThat(written)
          .as("incident events naming " + event.subject() + "'s opening event")
          .filteredOn(e -> evidenceOf(e).contains(event.id()))
          .singleElement()
          .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.INCIDENT_OPENED.type()));
    }
    for (CloudEvent event : joining) {
      assertThat(written)
          .as("incident events naming " + event.subject() + "'s second event")
          .filteredOn(e -> evidenceOf(e).contains(event.id()))
          .singleElement()
          .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.INCIDENT_UPDATED.type()));
    }
  }
}
