package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.testing.KafkaTestCluster;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's roles as separate processes on a real three-broker Kafka cluster (replication 3,
 * {@code min.insync.replicas} 2, in this JVM): one broker is stopped while events flow, and nothing
 * is lost or duplicated in the index, the incidents or the notifications a real webhook receiver
 * gets; {@code /health} shows {@code KAFKA_DEGRADED} while the broker is down and clears it once
 * the broker is back.
 */
@DisplayName("Valentia on a three-broker Kafka cluster")
class KafkaClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterIT.class);
  private static final String TOKEN = "kafka-cluster-it-admin-token-0123456789";

  /** Every fortieth event is an MTU mismatch, which opens an incident of its own. */
  private static final int MISMATCH_EVERY = 40;

  @TempDir Path dir;
  private KafkaTestCluster cluster;
  private Vertx vertx;
  private HttpServer receiver;
  private KafkaEventPublisher publisher;
  private final List<ChildPlatform> children = new CopyOnWriteArrayList<>();

  /** Notification ids delivered, by the incident of their group. */
  private final Map<String, List<String>> delivered = new ConcurrentHashMap<>();

  @AfterEach
  void stopAll() throws Exception {
    for (ChildPlatform child : children) {
      child.process().destroy(); // SIGTERM: a clean stop, bounded
    }
    for (ChildPlatform child : children) {
      if (!child.process().waitFor(60, TimeUnit.SECONDS)) {
        child.kill();
      }
    }
    if (publisher != null) {
      publisher.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName(
      "loses and duplicates nothing in the index, incidents and notifications when one of three"
          + " brokers stops while events flow, and /health reports KAFKA_DEGRADED until it is"
          + " back")
  void oneBrokerDownWhileEventsFlow() throws Exception {
    cluster = KafkaTestCluster.start(dir.resolve("kafka"), 3, 2);
    vertx = Vertx.vertx();
    startReceiver();
    Path config = config();
    String bootstrap = cluster.bootstrapServers();

    // three processes, as on three machines: the entry point with the record, notifications,
    // and chaos with the probes
    List<CompletableFuture<ChildPlatform>> starting = new ArrayList<>();
    starting.add(child("web-postmortem", config, bootstrap, "web", "postmortem"));
    starting.add(child("notifications", config, bootstrap, "notifications"));
    starting.add(child("chaos-probes", config, bootstrap, "chaos", "probes"));
    Exception notStarted = null;
    for (CompletableFuture<ChildPlatform> future : starting) {
      try {
        children.add(future.get(240, TimeUnit.SECONDS)); // those that start are stopped after
      } catch (Exception e) {
        notStarted = e;
      }
    }
    if (notStarted != null) {
      throw notStarted;
    }
    ChildPlatform web = children.get(0);
    assertThat(web.base()).isNotNull();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(health(web).path("checks").has("KAFKA_DEGRADED")).isFalse());

    String run = UUID.randomUUID().toString().substring(0, 8);
    String source = "/cluster-it/" + run;
    publisher =
        new KafkaEventPublisher(
            vertx,
            new KafkaSettings(bootstrap, "cluster-it", (short) 3, null, "lz4", null),
            "cluster-it");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean flowing = new AtomicBoolean(true);
    long timer =
        vertx.setPeriodic(
            50,
            id -> {
              if (!flowing.get()) {
                vertx.cancelTimer(id);
                return;
              }
              for (int k = 0; k < 5; k++) {
                CloudEvent event = event(source, run, sent.getAndIncrement());
                publisher
                    .publish(Topics.EVENTS, event.subject(), event)
                    .onSuccess(position -> acknowledged.add(event.id()))
                    .onFailure(e -> failures.add(event.id() + ": " + e));
              }
            });

    int stopped;
    try (Admin admin = admin(bootstrap)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 100);
      stopped = leaderOfFirstEventsPartition(admin);
    }
    int sentBeforeStop = sent.get();
    cluster.stop(stopped);
    // raised as soon as the ISRs shrink; the broker is named once it has left the cluster
    JsonNode degraded =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> health(web).path("checks").path("KAFKA_DEGRADED"),
                check -> check.path("summary").asText().contains("offline broker(s) " + stopped));
    assertThat(degraded.path("severity").asText())
        .as("two in-sync replicas of three still meet min.insync.replicas 2")
        .isEqualTo("HEALTH_WARN");
    assertThat(degraded.path("summary").asText()).contains("under-replicated partition(s)");
    assertThat(degraded.path("detail").toString()).contains(Topics.EVENTS + ": ");
    // events keep flowing, and are acknowledged, while the broker is down
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(acknowledged.size())
                    .as(
                        () ->
                            "sent "
                                + sent.get()
                                + ", acknowledged "
                                + acknowledged.size()
                                + ", failed "
                                + failures.size()
                                + failures.stream().limit(3).toList())
                    .isGreaterThanOrEqualTo(sentBeforeStop + 100));
    flowing.set(false);
    int sentWhileDown = sent.get() - sentBeforeStop;
    vertx.cancelTimer(timer);
    cluster.start(stopped);
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> assertThat(health(web).path("checks").has("KAFKA_DEGRADED")).isFalse());

    int total = sent.get();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> acknowledged.size() + failures.size() == total);
    assertThat(failures).as("every event published with acks=all was acknowledged").isEmpty();
    int mismatches = (total + MISMATCH_EVERY - 1) / MISMATCH_EVERY;
    LOG.info(
        "{} events published ({} while broker {} was down), {} of them MTU mismatches",
        total,
        sentWhileDown,
        stopped,
        mismatches);

    // the log holds each event once
    List<String> logged = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : committed(bootstrap)) {
      CloudEvent event = EventCodec.instance().decodeEnvelope(record.value());
      if (source.equals(event.source())) {
        logged.add(event.id());
      }
    }
    assertThat(logged).hasSize(total).doesNotHaveDuplicates();
    assertThat(new HashSet<>(logged)).isEqualTo(acknowledged);

    // the index has one document per event
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(() -> assertThat(indexed(web, source)).isEqualTo(total));

    // one incident per mismatch, each opened once
    Map<String, String> incidents =
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> incidentsBySubject(web, run), found -> found.size() == mismatches);
    assertThat(new HashSet<>(incidents.values())).hasSize(mismatches);
    List<String> opened = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<String> now = new ArrayList<>();
              for (ConsumerRecord<byte[], byte[]> record : committed(bootstrap)) {
                CloudEvent event = EventCodec.instance().decodeEnvelope(record.value());
                if (EventType.INCIDENT_OPENED.type().equals(event.type())
                    && incidents.containsValue(event.incidentId())) {
                  now.add(event.incidentId());
                }
              }
              opened.clear();
              opened.addAll(now);
              return now.size() >= mismatches;
            });
    assertThat(opened).hasSize(mismatches).doesNotHaveDuplicates();

    // one notification per incident, delivered once
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> delivered.keySet().containsAll(incidents.values()));
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                incidents.values().stream()
                    .allMatch(incident -> delivered.get(incident).size() == 1));
  }

  /** The records of {@code valentia.events} as Valentia's readers see them (read_committed). */
  private static List<ConsumerRecord<byte[], byte[]>> committed(String bootstrap) {
    return KafkaTestSupport.readAll(
        bootstrap, Topics.EVENTS, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
  }

  private CompletableFuture<ChildPlatform> child(
      String name, Path config, String bootstrap, String... roles) {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "--data",
                dir.resolve(name).toString(),
                "--kafka",
                bootstrap,
                "--http-port",
                "0",
                "--http-host",
                "127.0.0.1",
                "--config",
                config.toString()));
    for (String role : roles) {
      arguments.add("--role");
      arguments.add(role);
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return ChildPlatform.up(dir.resolve(name + ".log"), TOKEN, arguments);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static CloudEvent event(String source, String run, int i) {
    if (i % MISMATCH_EVERY == 0) {
      return CloudEvent.of(new MtuMismatch("10.0.9.7:7", 1472, 1473, 1500, "out"))
          .source(source)
          .subject(subjectPrefix(run) + i)
          .build();
    }
    return CloudEvent.of(new MtuPing("10.0.9.8:7", 1472, true, 310L, "both", "udp"))
        .source(source)
        .subject("cluster-it-ping-" + run + "-" + (i % 7))
        .build();
  }

  private static String subjectPrefix(String run) {
    return "cluster-it-" + run + "-mtu-";
  }

  private static int leaderOfFirstEventsPartition(Admin admin) throws Exception {
    TopicDescription events =
        admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS);
    assertThat(events.partitions().get(0).replicas()).hasSize(3);
    assertThat(events.partitions().get(0).isr()).hasSize(3);
    return events.partitions().get(0).leader().id();
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            10000));
  }

  private static JsonNode health(ChildPlatform platform) throws Exception {
    return EventCodec.MAPPER.readTree(platform.send("GET", "/health", null).body());
  }

  private static long indexed(ChildPlatform platform, String source) throws Exception {
    String query = URLEncoder.encode("source:\"" + source + "\"", StandardCharsets.UTF_8);
    JsonNode page =
        EventCodec.MAPPER.readTree(
            platform
                .send("GET", "/api/v1/events/search?facet=none&size=1&q=" + query, null)
                .body());
    return page.path("total").asLong(-1);
  }

  /** The incident of each subject of this run, by subject; fails on a subject in two. */
  private static Map<String, String> incidentsBySubject(ChildPlatform platform, String run)
      throws Exception {
    Map<String, String> found = new HashMap<>();
    JsonNode all =
        EventCodec.MAPPER.readTree(platform.send("GET", "/api/v1/incidents", null).body());
    for (JsonNode incident : all.path("incidents")) {
      for (JsonNode subject : incident.path("subjects")) {
        if (subject.asText().startsWith(subjectPrefix(run))) {
          String before = found.put(subject.asText(), incident.path("id").asText());
          assertThat(before).as("subject %s is in one incident", subject.asText()).isNull();
        }
      }
    }
    return found;
  }

  private void startReceiver() throws Exception {
    receiver =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onComplete(
                            body -> {
                              try {
                                JsonNode message =
                                    EventCodec.MAPPER.readTree(body.result().toString());
                                String incident =
                                    message.path("groupLabels").path("incident").asText("");
                                if (!incident.isEmpty()) {
                                  delivered
                                      .computeIfAbsent(incident, k -> new CopyOnWriteArrayList<>())
                                      .add(request.getHeader("X-Valentia-Notification-Id"));
                                }
                              } catch (Exception e) {
                                request.response().setStatusCode(400).end();
                                return;
                              }
                              request.response().setStatusCode(200).end("ok");
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  private Path config() throws Exception {
    Path file = dir.resolve("valentia.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "kafka:",
            "  replication: 3",
            "  min-insync-replicas: 2",
            "notifications:",
            "  route:",
            "    receiver: team",
            "    group_by: [incident]",
            "    group_wait: 1s",
            "    group_interval: 1h",
            "    repeat_interval: 4h",
            "  receivers:",
            "    - name: team",
            "      webhook_configs: [{url: 'http://127.0.0.1:" + receiver.actualPort() + "/hook'}]",
            "  delivery:",
            "    initial_backoff: 200ms",
            "    max_backoff: 1s",
            ""));
    return file;
  }
}
