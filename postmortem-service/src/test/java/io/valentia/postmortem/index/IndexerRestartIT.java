package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchRequest;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IndexerRestartIT {
  private static final int BEFORE = 2_000;
  private static final int AFTER = 300;

  @Test
  @DisplayName(
      "After a clean stop the indexer resumes from the offsets in its commit: it fetches only the"
          + " records written since, not one record it had already indexed")
  void cleanRestartFetchesNoRecordTwice() throws Exception {
    String run = "restart-" + UUID.randomUUID();
    String topic = createTopic(run);
    Path dir = Files.createTempDirectory("valentia-indexer-restart");
    try {
      publish(topic, run, 0, BEFORE);
      try (EventIndex index = EventIndex.open(dir, new EventAnalyzer());
          KafkaIndexer first = indexer(topic, index)) {
        first.start();
        IndexSearch search = IndexSearch.events(index);
        await()
            .atMost(Duration.ofMinutes(2))
            .until(() -> search.search(runQuery(run)).total() >= BEFORE);
        assertThat(first.fetchedCount()).isGreaterThanOrEqualTo(BEFORE);
      }

      try (EventIndex index = EventIndex.open(dir, new EventAnalyzer())) {
        Map<TopicPartition, Long> committed = index.committedOffsets();
        assertThat(committed).as("the clean stop committed offsets").isNotEmpty();
        try (KafkaIndexer second = indexer(topic, index)) {
          second.start();
          publish(topic, run, BEFORE, AFTER);
          IndexSearch search = IndexSearch.events(index);
          await()
              .atMost(Duration.ofMinutes(2))
              .untilAsserted(
                  () -> {
                    assertThat(search.search(runQuery(run)).total()).isEqualTo(BEFORE + AFTER);
                    assertThat(second.fetchedCount())
                        .as("records fetched after the restart")
                        .isEqualTo(writtenSince(topic, committed));
                  });
          assertThat(second.fetchedCount()).isLessThan(BEFORE);
          assertThat(second.failure()).isEmpty();
        }
      }
    } finally {
      KafkaTestSupport.deleteRecursively(dir);
    }
  }

  /**
   * A topic of this test's own, shaped like the events topic: the shared events topic also holds
   * other tests' transaction markers, which take offsets but are never fetched.
   */
  private static String createTopic(String run) throws Exception {
    String topic = "valentia.events." + run;
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      // every partition has its leader before anything is written
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

  private static KafkaIndexer indexer(String topic, EventIndex index) {
    return new KafkaIndexer(
        "restart",
        KafkaTestSupport.settings(),
        List.of(topic),
        index,
        RecordMapper.EVENTS,
        new KafkaIndexer.Settings(Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  /** Records on the events topic past the offsets of {@code committed}. */
  private static long writtenSince(String topic, Map<TopicPartition, Long> committed) {
    try (TopicReader reader = TopicReader.open(KafkaTestSupport.settings(), "restart-it", topic)) {
      long total = 0;
      for (Map.Entry<Integer, Long> end : reader.endOffsets().entrySet()) {
        total +=
            end.getValue() - committed.getOrDefault(new TopicPartition(topic, end.getKey()), 0L);
      }
      return total;
    }
  }

  private static SearchRequest runQuery(String run) {
    return new SearchRequest("experimentid:" + run, null, null, List.of(), 1, null, null);
  }

  private static void publish(String topic, String run, int from, int count) {
    EventCodec codec = EventCodec.instance();
    // not idempotent: a topic created a moment ago can answer an idempotent producer's first
    // batches with OUT_OF_ORDER_SEQUENCE_NUMBER, which it then retries without end (KAFKA-15591)
    java.util.Properties props = new java.util.Properties();
    props.put(
        org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        KafkaTestSupport.bootstrapServers());
    props.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
    props.put(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(
        org.apache.kafka.clients.producer.ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      for (int i = from; i < from + count; i++) {
        CloudEvent event =
            CloudEvent.of(new FrameDropped(90, 1 + i % 7, i * 10L, i * 10L + 3, 4_200, "loop"))
                .source("/probes/frames/hmd-" + (i % 4))
                .subject("hmd-" + (i % 4))
                .experimentId(run)
                .build();
        producer.send(
            new ProducerRecord<>(
                topic, Topics.keyOf(event).getBytes(StandardCharsets.UTF_8), codec.encode(event)));
      }
      producer.flush();
    }
  }
}
