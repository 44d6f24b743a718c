package io.valentia.app;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.HealthTables;
import io.valentia.eventbus.health.KafkaReplication;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner.TopicStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The health of this process: its services, and Kafka as last seen. Kafka is asked every few
 * seconds on a worker thread; {@link #report()} answers from that snapshot without waiting.
 *
 * <p>Checks come from three places: the checks raised by any process and the mutes in force, read
 * from their state tables ({@code valentia.state.health}, {@code valentia.state.mutes}, folded by
 * {@link HealthTables}), services of this process through {@link HealthRegistry}, and this class
 * itself: {@code KAFKA_UNREACHABLE} (HEALTH_ERR), {@code KAFKA_DEGRADED} (under-replicated
 * partitions or replicas on offline brokers, see {@link KafkaReplication}), {@code TOPIC_MISMATCH}
 * (HEALTH_WARN), {@code STATE_RESTORING} (HEALTH_WARN) and {@code SERVICE_FAILED} (HEALTH_ERR).
 */
final class PlatformHealth implements HealthRegistry, AutoCloseable {
  static final Duration REFRESH = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final KafkaSettings settings;
  private final boolean embedded;
  private final Admin admin;
  private final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
  private final Map<String, List<String>> mismatches = new ConcurrentHashMap<>();
  private final Map<String, HealthCheck> raised = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot;
  private volatile StateTables stateTables;
  private volatile HealthTables healthTables;
  private long timer = -1;

  PlatformHealth(Vertx vertx, KafkaSettings settings, boolean embedded, List<TopicStatus> topics) {
    this.vertx = vertx;
    this.settings = settings;
    this.embedded = embedded;
    Map<String, Object> props = settings.commonClientProperties("health");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
    this.admin = Admin.create(props);
    Map<String, KafkaStatus.Topic> initial = new LinkedHashMap<>();
    for (TopicStatus topic : topics) {
      mismatches.put(topic.name(), topic.mismatches());
      initial.put(
          topic.name(),
          new KafkaStatus.Topic(
              topic.partitions(), topic.replicationFactor(), -1, topic.mismatches()));
    }
    this.snapshot = new Snapshot(true, null, initial, null);
  }

  /** The state tables whose restore this process waits for; {@code STATE_RESTORING} until done. */
  void stateTables(StateTables tables) {
    this.stateTables = tables;
    this.healthTables = HealthTables.open(tables);
  }

  /** The raised checks and mutes every process shows; null before {@link #stateTables}. */
  HealthTables healthTables() {
    return healthTables;
  }

  /**
   * Builds the health and mute tables from the old history if that was never done, and waits until
   * both are read. Blocking: call it from a worker.
   */
  void restore(StateMigration migration) {
    HealthHistory.migrate(migration, healthTables);
    StateMigration.await(healthTables.restored(), "read the health checks and mutes");
  }

  /** Starts the periodic refresh. */
  void start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH.toMillis(), id -> refresh());
  }

  @Override
  public void service(String name, ServiceStatus status) {
    services.put(name, status);
  }

  boolean hasService(String name) {
    return services.containsKey(name);
  }

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
    Snapshot current = snapshot;
    HealthTables shared = healthTables;
    Map<String, HealthCheck> checks =
        shared == null ? new HashMap<>() : new HashMap<>(shared.checks(Instant.now()));
    checks.putAll(raised);
    if (!current.reachable()) {
      checks.put(
          "KAFKA_UNREACHABLE",
          new HealthCheck(
              HealthReport.ERR,
              "Kafka at " + settings.bootstrapServers() + " does not answer",
              List.of(String.valueOf(current.error()))));
    } else if (current.degraded() != null) {
      checks.put(KafkaReplication.CHECK, current.degraded());
    }
    List<String> topicProblems = new ArrayList<>();
    mismatches.values().forEach(topicProblems::addAll);
    if (!topicProblems.isEmpty()) {
      checks.put(
          "TOPIC_MISMATCH",
          new HealthCheck(
              HealthReport.WARN,
              topicProblems.size() + " topic setting(s) differ from the configuration",
              topicProblems));
    }
    StateTables tables = stateTables;
    if (tables != null && !tables.restored()) {
      List<String> restoring = new ArrayList<>();
      for (StateTable.Restore r : tables.progress()) {
        if (!r.restored()) {
          restoring.add(
              r.topic()
                  + ": "
                  + r.read()
                  + " of "
                  + (r.total() < 0 ? "?" : String.valueOf(r.total()))
                  + " records read");
        }
      }
      checks.put(
          "STATE_RESTORING",
          new HealthCheck(
              HealthReport.WARN,
              restoring.size() + " state table(s) still restoring; not ready",
              restoring));
    }
    List<String> failed = new ArrayList<>();
    services.forEach(
        (name, status) -> {
          if ("failed".equals(status.state())) {
            failed.add(name + ": " + status.detail());
          }
        });
    if (!failed.isEmpty()) {
      checks.put(
          "SERVICE_FAILED",
          new HealthCheck(HealthReport.ERR, failed.size() + " service(s) failed", failed));
    }
    KafkaStatus kafka =
        new KafkaStatus(
            settings.bootstrapServers(), embedded, current.reachable(), current.topics());
    return Future.succeededFuture(HealthReport.of(checks, services, kafka));
  }

  private void refresh() {
    vertx
        .executeBlocking(this::readKafka, false)
        .onSuccess(read -> snapshot = read)
        .onFailure(e -> snapshot = new Snapshot(false, e.getMessage(), snapshot.topics(), null));
  }

  private Snapshot readKafka() throws Exception {
    Map<String, TopicDescription> descriptions =
        admin.describeTopics(Topics.ALL).allTopicNames().get(5, TimeUnit.SECONDS);
    HealthCheck degraded = KafkaReplication.read(admin, Duration.ofSeconds(5)).orElse(null);
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    descriptions.forEach(
        (name, description) ->
            description
                .partitions()
                .forEach(
                    p -> {
                      TopicPartition tp = new TopicPartition(name, p.partition());
                      earliest.put(tp, OffsetSpec.earliest());
                      latest.put(tp, OffsetSpec.latest());
                    }));
    Map<TopicPartition, ListOffsetsResultInfo> starts =
        admin.listOffsets(earliest).all().get(5, TimeUnit.SECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> ends =
        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
    Map<String, KafkaStatus.Topic> topics = new LinkedHashMap<>();
    for (String name : Topics.ALL) {
      TopicDescription description = descriptions.get(name);
      long records = 0;
      for (var partition : description.partitions()) {
        TopicPartition tp = new TopicPartition(name, partition.partition());
        records += ends.get(tp).offset() - starts.get(tp).offset();
      }
      int replication =
          description.partitions().isEmpty()
              ? 0
              : description.partitions().get(0).replicas().size();
      topics.put(
          name,
          new KafkaStatus.Topic(
              description.partitions().size(),
              replication,
              records,
              mismatches.getOrDefault(name, List.of())));
    }
    return new Snapshot(true, null, topics, degraded);
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    admin.close(Duration.ofSeconds(2));
  }

  private record Snapshot(
      boolean reachable,
      String error,
      Map<String, KafkaStatus.Topic> topics,
      HealthCheck degraded) {}
}
