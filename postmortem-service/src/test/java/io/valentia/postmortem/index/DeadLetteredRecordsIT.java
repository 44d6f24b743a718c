package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.DeadLetters;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaEventSubscriber;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Search holds exactly the events that passed the contract: records the dead-letter gate rejects as
 * {@code unknown-type} or {@code schema-invalid} are not indexed, live or by a rebuild.
 */
class DeadLetteredRecordsIT {

  @Test
  @DisplayName(
      "A running indexer does not index an MTU mismatch whose data fails its schema, nor an event"
          + " of an unknown Valentia type: a search for MTU mismatches finds the valid one only")
  void liveIndexerSkipsDeadLetters() throws Exception {
    String run = "dlq-live-" + UUID.randomUUID();
    Path dir = Files.createTempDirectory("valentia-indexer-dlq");
    try (EventIndex index = EventIndex.open(dir, new EventAnalyzer());
        KafkaIndexer indexer = indexer(index)) {
      String valid = publishValidAndInvalid(run);
      indexer.start();
      IndexSearch search = IndexSearch.events(index);

      await().atMost(Duration.ofMinutes(1)).until(() -> search.search(all(run)).total() >= 1);
      // the three records share a key, so one partition holds them in order, the valid one last:
      // once it is searchable, the two before it were read and are searchable if indexed
      assertOnlyValid(search, run, valid);
      assertThat(indexer.invalidCount()).isGreaterThanOrEqualTo(2);
      assertThat(indexer.failure()).isEmpty();
    } finally {
      KafkaTestSupport.deleteRecursively(dir);
    }
  }

  @Test
  @DisplayName(
      "Rebuilding the index from the log (reindex) skips the records the dead-letter gate rejects"
          + " and counts them as invalid")
  void rebuildSkipsDeadLetters() throws Exception {
    String run = "dlq-rebuild-" + UUID.randomUUID();
    Path dir = Files.createTempDirectory("valentia-indexer-dlq");
    try (EventIndex index = EventIndex.open(dir, new EventAnalyzer());
        KafkaIndexer indexer = indexer(index)) {
      String valid = publishValidAndInvalid(run);

      indexer.catchUp(Duration.ofMinutes(2));

      assertOnlyValid(IndexSearch.events(index), run, valid);
      assertThat(indexer.invalidCount()).isGreaterThanOrEqualTo(2);
    } finally {
      KafkaTestSupport.deleteRecursively(dir);
    }
  }

  @Test
  @DisplayName(
      "On a topic of its own, the indexer's count of invalid records skipped (the dashboard's"
          + " figure) is exactly the number of records the dead-letter gate sends to the dead"
          + " letters, with the gate's reasons")
  void invalidCountMatchesTheDeadLetters() throws Exception {
    String run = "dlq-count-" + UUID.randomUUID();
    String topic = createTopic(run);
    Path dir = Files.createTempDirectory("valentia-indexer-dlq");
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher deadLetters = new KafkaEventPublisher(vertx, KafkaTestSupport.settings());
    KafkaEventSubscriber gate = null;
    try (EventIndex index = EventIndex.open(dir, new EventAnalyzer());
        KafkaIndexer indexer =
            new KafkaIndexer(
                "dlq-count",
                KafkaTestSupport.settings(),
                List.of(topic),
                index,
                RecordMapper.EVENTS,
                new KafkaIndexer.Settings(Duration.ofMillis(100), Duration.ofSeconds(1)))) {
      publishValidAndInvalid(run, topic);
      indexer.catchUp(Duration.ofMinutes(2));
      // the gate's own options, on this test's topic and group
      gate =
          KafkaEventSubscriber.start(
              vertx,
              KafkaTestSupport.settings(),
              KafkaEventSubscriber.Options.of(KafkaTestSupport.uniqueGroup("dlq-count"), topic)
                  .withFromBeginning(true)
                  .withDeadLetterInvalid(true),
              event -> Future.succeededFuture(),
              deadLetters);

      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () -> assertThat(deadLettersFrom(topic)).hasSize((int) indexer.invalidCount()));
      assertThat(indexer.invalidCount()).isEqualTo(2);
      assertThat(deadLettersFrom(topic))
          .containsExactlyInAnyOrder(
              InvalidEventException.Reason.SCHEMA_INVALID.value(),
              InvalidEventException.Reason.UNKNOWN_TYPE.value());
    } finally {
      if (gate != null) {
        gate.close().toCompletionStage().toCompletableFuture().get();
      }
      deadLetters.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
      KafkaTestSupport.deleteRecursively(dir);
    }
  }

  /** The reasons of the dead letters read from {@code topic}. */
  private static List<String> deadLettersFrom(String topic) {
    return KafkaTestSupport.readAll(Topics.DEADLETTER).stream()
        .filter(r -> topic.equals(header(r, DeadLetters.TOPIC)))
        .map(r -> header(r, DeadLetters.REASON))
        .toList();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** A topic of this test's own, shaped like the events topic, every partition led. */
  private static String createTopic(String run) throws Exception {
    String topic = "valentia.events." + run;
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  admin
                      .describeTopics(List.of(topic))
                      .allTopicNames()
                      .get()
                      .get(topic)
                      .partitions()
                      .stream()
                      .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    }
    return topic;
  }

  private static void assertOnlyValid(IndexSearch search, String run, String validId) {
    assertThat(search.search(all(run)).hits()).extracting(hit -> hit.id()).containsExactly(validId);
    assertThat(
            search
                .search(
                    SearchRequest.of(
                        "type:io.valentia.probe.mtu.mismatch.v1 AND experimentid:" + run))
                .total())
        .isEqualTo(1);
    assertThat(search.search(SearchRequest.of("mismatch osd-66")).total())
        .as("the invalid mismatch's words find nothing")
        .isZero();
  }

  private static SearchRequest all(String run) {
    return SearchRequest.of("experimentid:" + run);
  }

  private static KafkaIndexer indexer(EventIndex index) {
    return new KafkaIndexer(
        "dlq",
        KafkaTestSupport.settings(),
        List.of(Topics.EVENTS),
        index,
        RecordMapper.EVENTS,
        new KafkaIndexer.Settings(Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  /**
   * Writes, raw (no validating publisher in between), a valid MTU mismatch, one whose data fails
   * its schema, and an event of a Valentia type this version does not know; returns the valid id.
   */
  private static String publishValidAndInvalid(String run) {
    return publishValidAndInvalid(run, Topics.EVENTS);
  }

  private static String publishValidAndInvalid(String run, String topic) {
    EventCodec codec = EventCodec.instance();
    CloudEvent valid =
        CloudEvent.of(new MtuMismatch("10.0.0.7:7", 1472, 1473, 1500, "out"))
            .source("/probes/mtu/osd-12")
            .subject("osd-12->osd-7")
            .experimentId(run)
            .build();
    String badData =
        ("{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/probes/mtu/osd-66\","
                + "\"type\":\"io.valentia.probe.mtu.mismatch.v1\",\"subject\":\"osd-66->osd-7\","
                + "\"experimentid\":\"%s\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"peer\":\"osd-66\",\"largestPassingBytes\":\"a lot\"}}")
            .formatted(UUID.randomUUID(), run);
    String unknownType =
        ("{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/probes/mtu/osd-66\","
                + "\"type\":\"io.valentia.probe.mtu.mismatch.v9\",\"subject\":\"osd-66->osd-7\","
                + "\"experimentid\":\"%s\",\"data\":{\"peer\":\"osd-66\"}}")
            .formatted(UUID.randomUUID(), run);
    assertThatThrownBy(() -> codec.decode(badData))
        .isInstanceOfSatisfying(
            InvalidEventException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEventException.Reason.SCHEMA_INVALID));
    assertThatThrownBy(() -> codec.decode(unknownType))
        .isInstanceOfSatisfying(
            InvalidEventException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEventException.Reason.UNKNOWN_TYPE));
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      for (byte[] value :
          List.of(
              badData.getBytes(StandardCharsets.UTF_8),
              unknownType.getBytes(StandardCharsets.UTF_8),
              codec.encode(valid))) {
        producer.send(new ProducerRecord<>(topic, run.getBytes(StandardCharsets.UTF_8), value));
      }
      producer.flush();
    }
    return valid.id();
  }
}
