package io.valentia.postmortem.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running incident detection: one Kafka Streams instance of {@link IncidentTopology}. Every
 * process with the postmortem role runs one; instances with the same application id share the work
 * (the partitions of {@code valentia.events} and the single signals partition), and a dead
 * instance's tasks move to the others once its session times out.
 *
 * <p>A new application id starts at the end of {@code valentia.events} (no scan of the history); an
 * existing one resumes from its committed offsets, exactly once ({@code exactly_once_v2}).
 *
 * <p>Health: {@value #HEALTH_CHECK} is raised (HEALTH_ERR) while the instance is in ERROR or has
 * stopped without being closed, and when a stream thread failed (it is replaced), and cleared when
 * the instance runs again.
 */
public final class IncidentStreams implements AutoCloseable {
  /** The default application id (consumer group, prefix of the internal topics). */
  public static final String APPLICATION_ID = "valentia-incidents";

  public static final String HEALTH_CHECK = "INCIDENT_DETECTION";

  private static final Logger LOG = LoggerFactory.getLogger(IncidentStreams.class);

  /**
   * Where and how detection runs.
   *
   * @param applicationId the Streams application id
   * @param stateDir the local state stores' directory
   * @param overrides extra Streams properties (e.g. {@code consumer.session.timeout.ms})
   */
  public record Settings(String applicationId, Path stateDir, Map<String, Object> overrides) {
    public Settings {
      overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
    }

    /**
     * The settings of the {@code incidents} section: its {@code applicationId}, else {@value
     * #APPLICATION_ID}.
     */
    public static Settings of(JsonNode section, Path stateDir) {
      return new Settings(section.path("applicationId").asText(APPLICATION_ID), stateDir, Map.of());
    }
  }

  /**
   * Gives every partition of {@code valentia.events} that the application has no committed offset
   * for one at its current end (the last stable offset), before the instance starts. A new
   * application id still begins at the end of the log (no scan of the history), but from then on
   * every partition has a position: an instance killed before its first commit of a partition
   * resumes where its first start began, instead of starting at the end again and skipping what
   * arrived while it was down (the crash trials lost an incident that way). When another instance
   * of the application is running the group cannot be changed; that one commits for itself.
   */
  static void pinUncommitted(KafkaSettings kafka, String applicationId) {
    try (Admin admin = Admin.create(kafka.commonClientProperties(applicationId + "-pin"))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(applicationId)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> missing = new HashMap<>();
      admin
          .describeTopics(List.of(Topics.EVENTS))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(Topics.EVENTS)
          .partitions()
          .forEach(
              p -> {
                TopicPartition tp = new TopicPartition(Topics.EVENTS, p.partition());
                if (committed.get(tp) == null) {
                  missing.put(tp, OffsetSpec.latest());
                }
              });
      if (missing.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
      admin
          .listOffsets(missing, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, end) -> ends.put(tp, new OffsetAndMetadata(end.offset())));
      admin.alterConsumerGroupOffsets(applicationId, ends).all().get(30, TimeUnit.SECONDS);
      LOG.info(
          "incident detection begins {} partition(s) of {} at their end",
          ends.size(),
          Topics.EVENTS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // another instance holds the group (it commits for itself), or Kafka is slow: start anyway,
      // as before, at the end of a partition without a position
      LOG.info(
          "incident detection could not pin the positions of {}: {}",
          Topics.EVENTS,
          e.getCause() != null ? e.getCause().toString() : e.toString());
    }
  }

  private final KafkaStreams streams;
  private final HealthRegistry health;
  private final CompletableFuture<Void> running = new CompletableFuture<>();
  private final Map<String, Long> restored = new ConcurrentHashMap<>();
  private final long created = System.nanoTime();
  private volatile boolean closing;

  private IncidentStreams(KafkaStreams streams, HealthRegistry health) {
    this.streams = streams;
    this.health = health;
  }

  /**
   * Starts detection.
   *
   * @param seed the incidents to start from when the processor's stores are new
   * @param health where {@value #HEALTH_CHECK} is raised; null for none
   */
  public static IncidentStreams start(
      KafkaSettings kafka,
      Settings settings,
      DetectionRules rules,
      Supplier<Collection<IncidentState>> seed,
      HealthRegistry health) {
    Properties props = new Properties();
    props.putAll(kafka.streamsProperties(settings.applicationId(), settings.stateDir()));
    props.put("statestore.cache.max.bytes", 0L);
    // a start restores the stores of each batch of tasks in one round; with the default 500 ms
    // fetch wait each round of (mostly empty) changelogs took 0.6-1 s, with 50 ms about 0.3 s
    props.put("restore.consumer.fetch.max.wait.ms", 50);
    // a killed instance's tasks move (or come back to it when it restarts) after this, not 45 s
    props.put("consumer.session.timeout.ms", 15_000);
    // a restarted process takes its own place at once (Streams adds each thread's number)
    kafka
        .groupInstanceId(settings.applicationId())
        .ifPresent(id -> props.put("main.consumer.group.instance.id", id));
    props.putAll(settings.overrides());
    pinUncommitted(kafka, settings.applicationId());
    KafkaStreams streams = new KafkaStreams(IncidentTopology.build(rules, seed), props);
    IncidentStreams detection = new IncidentStreams(streams, health);
    streams.setStateListener(detection::changed);
    streams.setGlobalStateRestoreListener(detection.new Restores());
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error("an incident detection thread failed; it is replaced", e);
          detection.raise("an incident detection thread failed and is replaced: " + e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.start();
    return detection;
  }

  private void changed(KafkaStreams.State now, KafkaStreams.State before) {
    LOG.info("incident detection: {} -> {}", before, now);
    switch (now) {
      case RUNNING -> {
        if (running.complete(null)) {
          LOG.info(
              "incident detection runs {} ms after its start; records restored per store: {}",
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created),
              restored);
        }
        if (health != null) {
          health.clear(HEALTH_CHECK);
        }
      }
      case ERROR, PENDING_ERROR -> {
        raise("incident detection failed (Kafka Streams " + now + ")");
        running.completeExceptionally(
            new IllegalStateException("incident detection failed before it ran"));
      }
      case PENDING_SHUTDOWN, NOT_RUNNING -> {
        if (!closing) {
          raise("incident detection stopped (Kafka Streams " + now + ")");
        }
      }
      default -> {}
    }
  }

  private void raise(String summary) {
    if (health != null) {
      health.raise(HEALTH_CHECK, new HealthCheck(HealthReport.ERR, summary, List.of()));
    }
  }

  /**
   * Completes the first time the instance runs (its tasks assigned and their stores restored);
   * fails when it goes to ERROR first.
   */
  public CompletableFuture<Void> running() {
    return running;
  }

  /**
   * The records restored from changelogs since this instance started, per store that restored any:
   * the in-memory burst windows are rebuilt at every start; a persistent store restores only what
   * its own copy lacks. Safe from any thread.
   */
  public Map<String, Long> restoredRecords() {
    return Map.copyOf(restored);
  }

  /** Counts what each store restored (called from Kafka Streams' restoring thread). */
  private final class Restores implements StateRestoreListener {
    @Override
    public void onRestoreStart(
        TopicPartition partition, String store, long startingOffset, long endingOffset) {}

    @Override
    public void onBatchRestored(
        TopicPartition partition, String store, long batchEndOffset, long numRestored) {
      restored.merge(store, numRestored, Long::sum);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {}
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The partitions of the tasks this instance runs now (input and signals partitions). */
  public Set<TopicPartition> activePartitions() {
    Set<TopicPartition> partitions = new HashSet<>();
    streams
        .metadataForLocalThreads()
        .forEach(t -> t.activeTasks().forEach(task -> partitions.addAll(task.topicPartitions())));
    return partitions;
  }

  /** Stops detection, leaving the group so that the others take over at once. Blocking. */
  @Override
  public void close() {
    closing = true;
    streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
    if (health != null) {
      health.clear(HEALTH_CHECK);
    }
  }
}
